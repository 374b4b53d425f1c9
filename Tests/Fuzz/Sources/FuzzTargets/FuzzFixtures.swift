import TUFMetadata

// Generated once from Tests/TUFMetadataTests/Fixtures/python-tuf (the ed25519 repository and
// its keys). TEST-ONLY KEYS: public, committed with the fixtures; never use them elsewhere.
// Byte-exact copies, so the trusted root verifies as committed.
enum FuzzFixtures {
    /// Before every fixture expires (2030-01-01).
    static let referenceTime = Expiry(iso8601: "2025-06-01T00:00:00Z")!
    static let root: [UInt8] = Array(#"{"signatures":[{"keyid":"af953b83b04a9594d6009d91e3f15ee9a278288bdbe59166cfad96252482684b","sig":"ab5108494b0888cf70ee1e2fb11f0ab5df4bf1b86e0ef7c6be74f49a5fa235defb268de28e32f928086e3e9576876029dd7622d552eeb51eb316d87a5e54cb05"}],"signed":{"_type":"root","consistent_snapshot":true,"expires":"2030-01-01T00:00:00Z","keys":{"3e192dbe64a25177189b8e51813a6d923e1f1c258306166e4aa648c650747ef6":{"keytype":"ed25519","keyval":{"public":"a7dbb27257fa3b91e6e5de70e8937bf4327fcc913c46a9dd2316e15b7a4ee924"},"scheme":"ed25519"},"af953b83b04a9594d6009d91e3f15ee9a278288bdbe59166cfad96252482684b":{"keytype":"ed25519","keyval":{"public":"88889dcd6302caa868a724b1e7f04ac01f616e6923aab7d52cc517258f3878ce"},"scheme":"ed25519"},"b05c94d8ded59dd58c9fc06063f2dc167522555ebfc6bafb77986350fc590f5b":{"keytype":"ed25519","keyval":{"public":"5a80d69a03c3e0b60014ac5c9773d117031bdb032072b30f34c1cbfc37739d61"},"scheme":"ed25519"},"f3ab9bb50ed21a864da51d9f2e58c68b80145a3a57d96232b4da702830a2660c":{"keytype":"ed25519","keyval":{"public":"ef5d3c135e5fe6c3b07f940133a07b5aa9a06262d98e25ced2021a2bfe74b48e"},"scheme":"ed25519"}},"roles":{"root":{"keyids":["af953b83b04a9594d6009d91e3f15ee9a278288bdbe59166cfad96252482684b"],"threshold":1},"snapshot":{"keyids":["b05c94d8ded59dd58c9fc06063f2dc167522555ebfc6bafb77986350fc590f5b"],"threshold":1},"targets":{"keyids":["3e192dbe64a25177189b8e51813a6d923e1f1c258306166e4aa648c650747ef6"],"threshold":1},"timestamp":{"keyids":["f3ab9bb50ed21a864da51d9f2e58c68b80145a3a57d96232b4da702830a2660c"],"threshold":1}},"spec_version":"1.0.31","version":1,"x-swift-tuf-fixture":{"list":[1,"two",null,true],"note":"unknown field kept on round trip"}}}"#.utf8)
    static let timestamp: [UInt8] = Array(#"{"signatures":[{"keyid":"f3ab9bb50ed21a864da51d9f2e58c68b80145a3a57d96232b4da702830a2660c","sig":"d142048b7c125e16a8c4668d85a1b5b29199ce9a926791d2132c07ee68755fb9e307e13f05694f70076e8f002cb736a6784c236436c9ef70e8789f0ce96dca08"}],"signed":{"_type":"timestamp","expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"hashes":{"sha256":"250b0ce01042802c3ed82c027204a7793c24721c8c2dae93b5b2ac5170a064b3"},"length":367,"version":1}},"spec_version":"1.0.31","version":1}}"#.utf8)
    static let snapshot: [UInt8] = Array(#"{"signatures":[{"keyid":"b05c94d8ded59dd58c9fc06063f2dc167522555ebfc6bafb77986350fc590f5b","sig":"afe171605c3f90f7fbcf496c46fd3b536035b94a27d5886738bb4fa223821997e4187cffe711cb96cc733ac58eb53c9191323188cb274fa3437b806a73461105"}],"signed":{"_type":"snapshot","expires":"2030-01-01T00:00:00Z","meta":{"targets.json":{"version":1}},"spec_version":"1.0.31","version":1}}"#.utf8)
    static let targets: [UInt8] = Array(#"{"signatures":[{"keyid":"3e192dbe64a25177189b8e51813a6d923e1f1c258306166e4aa648c650747ef6","sig":"c2504d410e02f0fba1f2664e3d42c023ab0b07b43130a3ab5497e44b236332c2a21b26a3491d367917d41b88701053d80a94fc314ab8f93fe4332980f6cb9405"}],"signed":{"_type":"targets","expires":"2030-01-01T00:00:00Z","spec_version":"1.0.31","targets":{"packages/example-0.9.tar.gz":{"custom":{"yanked":"broken build; use 1.0"},"hashes":{"sha256":"789d0dad4046eeed23f24ee7d7f04cf228d99127db7fbdaa1b0898f3a8ad1f16","sha512":"41574ec707b4e16e6916605974524934e045c53c991b659288e2324fbd1ffd6fc152b80b8f8d1728e2b43efd4e316c8d1d1d39f4fc005855d0db06339e7fa937"},"length":48},"packages/example-1.0.tar.gz":{"custom":{"yanked":false},"hashes":{"sha256":"c11f2ffd96427f5f819207231e87ea50fa043dba43ef15aaa6482de1ed4ee6ff","sha512":"451e9577649ad41e8bfb4be1645c21e36b99d985f5889ad5647ab17bef50a60deb7fc226da23a4612e262cf8b7f4b1de92a5bffae0f53e1ba6001f36d81352bb"},"length":48},"simple/example/index.json":{"hashes":{"sha256":"7b7d5b034b15a3b13ce34dc20aa89706cc7cafee81025383878311c3e1ef79ae","sha512":"5ec02f16538bab3e083c8b37ac01c8ee37b2f069a6eb5ec98c3a8dce289552ba90175b28d4fd097d9a0a779c94b227287f51bb0b5c49a4578cfcd459b0a210c0"},"length":84}},"version":1,"x-swift-tuf-fixture":{"kept":true}}}"#.utf8)

    /// The private keys of the roles above, as PKCS#8 PEM.
    static let rootKeyPEM = """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIN6cwb2X2xvHZcArNAgh+UPut9dBs6bfqwcLw6Or4GS8
-----END PRIVATE KEY-----
"""
    static let timestampKeyPEM = """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIOECQh3tORqyxICjgN7FA/UTcSM5H5VsAByaNLwBkhPm
-----END PRIVATE KEY-----
"""
    static let snapshotKeyPEM = """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHjb0O1/M+QCZiuRnRXt0oKLPomEKT/SzgvIzQPBjd87
-----END PRIVATE KEY-----
"""
    static let targetsKeyPEM = """
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIKRoJkK5gxpOH5yVwIZB5Qn7/uWHCASoH9FmcWTmbLbQ
-----END PRIVATE KEY-----
"""
}
