import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is made.
public enum CurlRuntime {
    private static let initialised: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    public static func ensureInitialised() { _ = initialised }
}

/// Collects a response body (or streams it line by line) from libcurl's write callback.
public final class ResponseSink {
    public var bytes: [UInt8] = []
    /// When set, called with each complete line instead of keeping the bytes.
    public var onLine: (([UInt8]) -> Void)?
    /// When it returns true, the transfer is aborted at the next callback.
    public var shouldAbort: () -> Bool = { false }
    /// Bodies beyond this many bytes are cut (the transfer goes on); keeps probes' memory bounded.
    public var maxBytes: Int = .max

    public init() {}

    func receive(_ data: UnsafeRawBufferPointer) -> Bool {
        if shouldAbort() { return false }
        if bytes.count < maxBytes { bytes.append(contentsOf: data.prefix(maxBytes - bytes.count)) }
        if let onLine {
            while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(bytes[..<newline])
                bytes.removeSubrange(...newline)
                if !line.isEmpty { onLine(line) }
            }
        }
        return true
    }
}

/// The C progress callback of a stream (`CurlRequest.stallTimeout`): aborts the transfer when
/// the `ResponseSink` passed as user data says so, even while no data arrives.
public let curlAskSinkToAbort: fl_curl_progress_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    return Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue().shouldAbort() ? 1 : 0
}

/// The C write callback: hands each chunk to the `ResponseSink` passed as user data.
public let curlWriteToSink: fl_curl_data_callback = { data, size, count, userdata in
    guard let userdata, let data else { return 0 }
    let length = size * count
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let accepted = sink.receive(UnsafeRawBufferPointer(start: data, count: length))
    return accepted ? length : 0
}
