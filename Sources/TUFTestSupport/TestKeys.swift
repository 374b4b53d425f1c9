import TUFCrypto
import TUFMetadata

/// Fixed throwaway keys for tests, so fixtures and expected bytes stay the same run to run.
/// TEST ONLY: these private keys are public; never use them for anything real.
public enum TestKeys {
    /// ed25519 keys `ed1`…`ed8`, an ECDSA P-256 key `ec1` and an RSA key `rsa1`.
    public static func key(_ name: String) -> PrivateKey {
        guard let key = loaded[name] else { fatalError("no test key \(name)") }
        return key
    }

    /// Every test key, parsed once.
    static let loaded: [String: PrivateKey] = pems.mapValues { pem in
        do { return try PrivateKey(pemRepresentation: pem, passphrase: nil) } catch { fatalError("test key: \(error)") }
    }

    /// The public key of test key `name` as metadata lists it.
    public static func publicKey(_ name: String) -> Key { Key(key(name).publicKey) }

    /// The keyid of test key `name`.
    public static func keyID(_ name: String) -> String { publicKey(name).keyID }

    static let pems: [String: String] = [
        "ed1": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIOZTTerME0gAeSjLIDTQP0gTtfbT8ZdzCNOleqhAKn8f
-----END PRIVATE KEY-----
""",
        "ed2": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIIFgBfAk0ESgepZUn4chwL7vmgFfF6f9vNQ27OsZM0mP
-----END PRIVATE KEY-----
""",
        "ed3": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIA9FnDFqlVled7O03wqpsOH/k9/z6hnY70OHpa7dCQrn
-----END PRIVATE KEY-----
""",
        "ed4": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIEwV80C/eIKBO/z+PPV5f8+BDUQ4ymVDRFrr6hKgAfAU
-----END PRIVATE KEY-----
""",
        "ed5": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEII0/NeLbOMCUkXxmF3ega/aMIFcq91ZNMSBh6+W4oym+
-----END PRIVATE KEY-----
""",
        "ed6": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIGtlretShc0Z9paQWj8bGaGklqkvvS1QxG5eBHPex/LM
-----END PRIVATE KEY-----
""",
        "ed7": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIGeaKkslERcI285ENBe0fhICZtN8E41l+0dhPJfyaCHe
-----END PRIVATE KEY-----
""",
        "ed8": """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEICcZTWCEFTPuGUQff5O+ID9JNmrMHiqCA4LrGnpC6+wh
-----END PRIVATE KEY-----
""",
        "ec1": """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdDYsymp/PJRdIvHg
un53hWwe29YHHu40eNicEPavvUihRANCAARUz0gxJhrjIbEUr12Z+OkOVIaf1esC
zmFbr39AwfX4OBbZduYCCnygKfOHYkVKcyCVE5u7nOd2sMTPpbd2j9dV
-----END PRIVATE KEY-----
""",
        "rsa1": """
-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQCtPPSpIdwLkgGh
Fl4xLGJBPaVtOmat/RsKseeGpAuV5spwsav92AuBkJM8tqQ5Mn9hNnpXZZAOExmg
Mukc+Fz2Qewnhd81U9AZ35uE8fSpmWCqXD2ovbReen/ShaNaNEqhCEaXYr1sWNS9
uG2Wok5e8/IURB1wrOHWBaB38nEoI3sIIjp1m3I/WqXrkw7/469DK9gjSAGgxyVQ
AfkFM3A2auuvGz0DK0YPaBMAtGGUD27MCM6z88lTPRmqb3U2ilefwo08yL4I6tC4
GckRYSk1X/1+ESErRcz22TBWQ02LjZWcIxAQErP2YrcgFNaZxpsDHg7wDMKO1myt
CKRW2kHVAgMBAAECggEAQCHIOxKvWNMw6jcTIKYbK6bMJm8P0wpXp/JrUSNKrLA3
Mlf74WnI/KqOb1P34LrKgC0ARnlxRlyYyH8AYHqrQ3jtGUaMdrvz1pg6hRFjbyO6
Lucd5mlwK+eyiTdy3TJtjEa5h1KE6GbMPv3XCARG+gzaCdmbgnpl0mrb2Hu2m1JG
e6in79JORcv/qWfAEHX3euWLgk+HuZN1tuJxXbtuinSB0B5GUgOf44Dgp9vQZnYP
f1eGbQvuF7xcxW1MD7ldyC0+GxBwHvSGIxc8f3VDxat8Nz4Mx3VgAhRz/9/6AM4B
XQlueUwDCXZDYSKR51vH/FMw3xL0bRiyn8sfHBfiswKBgQDpWC/YFMOEjLCYNRPV
8/RH6bMrN9NASnSUqqBjVqaSFr8fj8uPG3vyzqUdi83TJkT+dyFKsGg9+rZ1dQmR
36LNWldapp0d0BD6HoWf4ashNeyLPkzU2E9hD1zSlYJNio8uT+LBf+UCwhJVoIRm
65dMlK57NEKWNAgUo+mfw9+jPwKBgQC+DtDOyrzcxvUlKOY+oaswB0SkCWgadgM5
R5SJRBNBqLim2jZonT+di87FDwz47JtUyD6mFaMzIxvDYsOpPdmnbinyvYXDBHXR
WWeYSHvSBByyW9pEPHGSGhOKH+jMCgE8IAlWdBWxsf35SRjM+rF1OpaVqsAmLnIE
/RQ+4BHZ6wKBgQDN+KrayJFBGlLzN77Xl6xkIfSmTHOrh01awTYsGZuUzoFMIcij
/LWvQRrcdsBrBpfWKl/3prmNJBYUngehfM8fBwSenv2HCFdEANcgprlA6nFvA8Ic
Cwgee8oKlDBds9XpIljdRsBma9p1POhCVOjLj15ooFu6bBlJ5tnczbBFTwKBgQCe
fEhPSOx4xkgCdrqZG8Nex5DLoTR4bFR/3VrVpDjSldl0+Z5JWmeD/uOrm8NbiCJ3
bowffweaSvqJ0cALTxJC9jBwxO3YE84ThxRF/puSI++yI7o9EJI8HRaSJc3A587j
zms69o5ooV6CFBxkQeDdOr/7imm07SITWt8ZF0yLhQKBgQDDMJdpSBn8mlsOn6Sb
dPO7Ns4G3bLuZpFRee+MM4CqA3S1me2ASrOeK1rVUFVPI0D2cdsVZpoWB/3OlSCu
zffBAUqkMXzCjqmTihjvQkwykPSxkNR4PyyJ8ZKTq4Drx9MtvddePGdVNLm2qwlJ
7WPU8n18Omz093urJ/ngH/TRtg==
-----END PRIVATE KEY-----
""",
    ]
}
