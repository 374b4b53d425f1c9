import CPKCS11

/// Builds a CK_ATTRIBUTE template from (type, bytes) pairs over memory that lives for the call
/// of `body`, which returns the module's CK_RV (checked by the caller).
func withTemplate<R>(_ attributes: [(CK_ULONG, [UInt8])], _ body: (inout [CK_ATTRIBUTE]) -> R) -> R {
    let buffers = attributes.map { _, bytes -> UnsafeMutableRawBufferPointer in
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        b.copyBytes(from: bytes)
        return b
    }
    defer { buffers.forEach { $0.deallocate() } }
    var template = zip(attributes, buffers).map { a, b in
        CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(a.0), pValue: b.baseAddress, ulValueLen: CK_ULONG(a.1.count))
    }
    return body(&template)
}

/// The bytes of a CK_ULONG attribute value (a class or key type), in host order.
func ulongBytes(_ value: CK_ULONG) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
