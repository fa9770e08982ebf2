import Glibc

/// Writing to a socket or pipe until every byte is gone.
public enum DescriptorWrite {
    /// Writes every byte (retrying short writes and EINTR); false when the peer is gone.
    public static func all(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Bool {
        var rest = bytes
        while !rest.isEmpty {
            let count = rest.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            rest = rest.dropFirst(count)
        }
        return true
    }
}
