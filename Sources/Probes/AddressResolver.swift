import Dispatch
import Foundation

/// Resolves a probe's host for the poller without blocking it: a numeric address at once, a name
/// on a resolver queue (getaddrinfo may wait for DNS), the answer handed back on the poller's thread.
enum AddressResolver {
    /// One address to connect to.
    struct Address {
        var storage = sockaddr_storage()
        var length: socklen_t = 0
        var family: Int32 { Int32(storage.ss_family) }
    }

    private static let queue = DispatchQueue(label: "faultline.resolver", attributes: .concurrent)

    /// Calls `completion` on the poller's thread with the host's addresses (or why there are none).
    static func resolve(_ host: String, port: Int, on poller: ProbePoller,
                        _ completion: @escaping (Result<[Address], SocketIO.Failure>) -> Void) {
        if let numeric = try? lookup(host, port: port, numericOnly: true).get() {
            completion(.success(numeric))
            return
        }
        let callback = PollerOnly(completion)
        queue.async {
            let result = lookup(host, port: port, numericOnly: false)
            poller.submit { callback.value(result) }
        }
    }

    static func lookup(_ host: String, port: Int, numericOnly: Bool) -> Result<[Address], SocketIO.Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        if numericOnly { hints.ai_flags = AI_NUMERICHOST }
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, list != nil else {
            return .failure(SocketIO.Failure(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))", timedOut: false))
        }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var cursor = list
        while let info = cursor {
            cursor = info.pointee.ai_next
            var address = Address()
            address.length = info.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &address.storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
            }
            addresses.append(address)
        }
        return addresses.isEmpty ? .failure(SocketIO.Failure(message: "no address for \(host)", timedOut: false)) : .success(addresses)
    }
}

/// A value that crosses threads only to be used on the poller's thread, where it was made.
struct PollerOnly<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
