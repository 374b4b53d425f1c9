import Testing
import TUFCrypto

/// RFC 7512 URIs as the signers read them, and every way one is refused: the refusal names
/// the attribute, and no value but token's and object's ever reaches the message, so a PIN
/// typed into a URI by mistake is not echoed to the terminal or a log.
@Suite struct PKCS11URITests {
    static let secret = "S3CRET-4711"

    struct Valid: Sendable, CustomTestStringConvertible {
        let uri: String
        let check: @Sendable (PKCS11URI) -> Bool
        var testDescription: String { uri }
    }

    static let valid: [Valid] = [
        Valid(uri: "pkcs11:token=Root%20keys;object=root-1?module-path=/usr/lib/softhsm/libsofthsm2.so") {
            $0.token == "Root keys" && $0.object == "root-1" && $0.modulePath == "/usr/lib/softhsm/libsofthsm2.so"
        },
        Valid(uri: "PKCS11:OBJECT=a") { $0.object == "a" && $0.token == nil },
        Valid(uri: "pkcs11:id=%01%ff;slot-id=3") { $0.id == [0x01, 0xFF] && $0.slotID == 3 },
        Valid(uri: "pkcs11:serial=42;model=SoftHSM%20v2;manufacturer=SoftHSM") {
            $0.serial == "42" && $0.model == "SoftHSM v2" && $0.manufacturer == "SoftHSM"
        },
        Valid(uri: "pkcs11:object=k?pin-source=file:/run/pin&module-name=softhsm2") { $0.pinSource == "file:/run/pin" && $0.modulePath == nil },
        Valid(uri: "pkcs11:token=t;type=private;x-vendor=1;library-version=2;slot-description=x") { $0.type == "private" },
        Valid(uri: "pkcs11:") { $0.token == nil && $0.object == nil && $0.id == nil },
    ]

    @Test(arguments: valid) func parses(_ c: Valid) throws {
        #expect(c.check(try PKCS11URI(c.uri)))
    }

    /// A bad URI with the secret in it, and a part of the message that must name the fault.
    struct Refused: Sendable, CustomTestStringConvertible {
        let uri: String
        let says: String
        var testDescription: String { uri }
    }

    static let s = secret
    static let refused: [Refused] = [
        // pin-value, wherever it is and whatever else is wrong: refused first, named.
        Refused(uri: "pkcs11:token=t;object=o?pin-value=\(s)", says: "pin-value"),
        Refused(uri: "pkcs11:token=t;pin-value=\(s);object=o", says: "pin-value"),
        Refused(uri: "pkcs11:object=o?PIN-VALUE=\(s)", says: "pin-value"),
        Refused(uri: "pkcs11:object=o?pin%2Dvalue=\(s)", says: "pin-value"),
        Refused(uri: "pkcs11:;;bad?pin-value=\(s)", says: "pin-value"),
        Refused(uri: "pkcs11:token=t?nope=1&pin-value=\(s)", says: "pin-value"),
        Refused(uri: "pkcs11:id=%zz;pin-value=\(s)", says: "pin-source"),
        // Every other error path, each with the secret in a value that must not be shown.
        Refused(uri: "\(s)", says: "pkcs11:"),
        Refused(uri: "pkcs11:token=t;pin=\(s)", says: "unknown PKCS#11 URI attribute 'pin'"),
        Refused(uri: "pkcs11:token=t?pin=\(s)", says: "unknown PKCS#11 URI query attribute 'pin'"),
        Refused(uri: "pkcs11:id=\(s);id=\(s)", says: "'id' is repeated"),
        Refused(uri: "pkcs11:token=t?module-path=/\(s)&module-path=/\(s)", says: "'module-path' is repeated"),
        Refused(uri: "pkcs11:token=t;\(s)", says: "part 2 is not NAME=VALUE"),
        Refused(uri: "pkcs11:token=t?\(s)", says: "query part 1 is not NAME=VALUE"),
        Refused(uri: "pkcs11:tok\u{1B}en=\(s)", says: "part 1 is not NAME=VALUE"),
        Refused(uri: "pkcs11:=\(s)", says: "part 1 is not NAME=VALUE"),
        Refused(uri: "pkcs11:serial=\(s)%4", says: "bad percent-encoding in serial"),
        Refused(uri: "pkcs11:serial=\(s)/x", says: "serial holds a character that must be percent-encoded"),
        Refused(uri: "pkcs11:serial=\(s) x", says: "serial holds a character"),
        Refused(uri: "pkcs11:slot-id=\(s)", says: "slot-id must be a decimal number"),
        Refused(uri: "pkcs11:type=\(s)", says: "type must be private, public"),
        Refused(uri: "pkcs11:type=cert;id=\(s)", says: "type=cert does not name a key pair"),
        Refused(uri: "pkcs11:model=\(s)%FF", says: "model is not UTF-8"),
        Refused(uri: "pkcs11:object=o?pin-source=/\(s)%G1", says: "bad percent-encoding in pin-source"),
        Refused(uri: "pkcs11:object=o?module-path=/\(s)%C3", says: "module-path is not UTF-8"),
        Refused(uri: "pkcs11:id=\(s)?", says: "query part 1 is not NAME=VALUE"),
    ]

    @Test(arguments: refused) func refusedWithoutShowingTheSecret(_ c: Refused) {
        #expect(throws: CryptoError(.badURI, "")) { try PKCS11URI(c.uri) }
        do { _ = try PKCS11URI(c.uri) } catch {
            #expect(!error.message.contains(Self.secret), "\(error.message)")
            #expect(error.message.contains(c.says), "\(error.message)")
        }
    }

    @Test func pinValueIsRefusedNamingTheWaysToGiveThePIN() throws {
        do { try PKCS11URI.refusePINValue("pkcs11:object=o?pin-value=\(Self.secret)"); Issue.record("not refused") } catch {
            for part in ["pin-source", "--pin-env", "prompt"] { #expect(error.message.contains(part), "\(error.message)") }
            #expect(!error.message.contains(Self.secret))
        }
        try PKCS11URI.refusePINValue("pkcs11:object=pin-value;token=x?pin-source=/p")
    }

    /// What a URI prints as: token and object only, every other value hidden.
    @Test func descriptionShowsOnlyTokenAndObject() throws {
        let uri = try PKCS11URI("pkcs11:token=tuf%20test;object=root-1;id=\(Self.secret);serial=\(Self.secret)"
                                + "?module-path=/\(Self.secret)&pin-source=/\(Self.secret)")
        #expect(uri.description == "pkcs11:token=tuf%20test;object=root-1;id=…;serial=…?module-path=…&pin-source=…")
        #expect("\(uri)" == uri.description)
        #expect(uri.keyName == "token \"tuf test\" object \"root-1\"")
        #expect(try PKCS11URI("pkcs11:id=\(Self.secret)").keyName == "id=…")
        #expect(try PKCS11URI("pkcs11:serial=\(Self.secret)").keyName == "pkcs11:serial=…")
    }

    /// The signer's and key generation's own URI checks run before any module is loaded.
    @Test(arguments: ["pkcs11:id=\(secret);type=public", "pkcs11:serial=\(secret)"])
    func signerRefusalsDoNotShowTheSecret(_ text: String) throws {
        let uri = try PKCS11URI(text)
        do { _ = try PKCS11Signer(uri: uri, modulePath: "/nonexistent/\(Self.secret).so") { _ in [] }; Issue.record("opened") } catch {
            #expect(error.code == .badURI)
            #expect(!error.message.contains(Self.secret), "\(error.message)")
        }
        do { _ = try PKCS11KeyGeneration.generate(.ed25519, uri: uri, modulePath: "/nonexistent.so") { _ in [] }; Issue.record("made") } catch {
            #expect(error.code == .badURI)
            #expect(!error.message.contains(Self.secret), "\(error.message)")
        }
    }
}
