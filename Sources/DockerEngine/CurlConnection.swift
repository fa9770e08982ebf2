import CCurl
import FaultlineSupport

/// One libcurl easy handle, used by one request at a time. Reusing the handle keeps the
/// connection to the engine alive between calls (no new socket per request).
///
/// Not thread-safe by itself: `ConnectionPool` hands each connection to one caller at a time,
/// which is why the `@unchecked Sendable` is confined to this one small type.
final class CurlConnection: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    let endpoint: EngineEndpoint

    init(endpoint: EngineEndpoint) throws(TransportFailure) {
        CurlRuntime.ensureInitialised()
        guard let handle = curl_easy_init() else { throw TransportFailure(code: -1, message: "curl_easy_init failed") }
        self.handle = handle
        self.endpoint = endpoint
    }

    deinit { curl_easy_cleanup(handle) }

    /// Performs one HTTP request and returns status, body and timing. Blocks the calling thread.
    func perform(
        method: String, url: String, body: [UInt8]?, timeout: Duration?, sink: ResponseSink = ResponseSink()
    ) throws(TransportFailure) -> RawResponse {
        curl_easy_reset(handle)  // keeps the live connection, clears per-request options
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = curl_slist_append(headers, "Expect:")
        if body != nil { headers = curl_slist_append(headers, "Content-Type: application/json") }
        defer { curl_slist_free_all(headers) }

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let unmanagedSink = Unmanaged.passRetained(sink)
        defer { unmanagedSink.release() }

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            fl_curl_set_string(handle, CURLOPT_URL, url)
            if let socket = endpoint.socketPath { fl_curl_set_string(handle, CURLOPT_UNIX_SOCKET_PATH, socket) }
            fl_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
            fl_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 5_000)
            fl_curl_set_long(handle, CURLOPT_TIMEOUT_MS, timeout.map { max(1, Int($0.milliseconds)) } ?? 0)
            fl_curl_set_slist(handle, CURLOPT_HTTPHEADER, headers)
            fl_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
            fl_curl_set_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteToSink)
            fl_curl_set_pointer(handle, CURLOPT_WRITEDATA, unmanagedSink.toOpaque())
            switch method {
            case "GET":
                fl_curl_set_long(handle, CURLOPT_HTTPGET, 1)
            case "POST":
                fl_curl_set_long(handle, CURLOPT_POST, 1)
                setBody(body ?? [])
            default:
                fl_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method)
                if let body { setBody(body) }
            }
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let summary = String(cString: curl_easy_strerror(code))
            throw TransportFailure(code: Int(code.rawValue), message: detail.isEmpty ? summary : "\(summary): \(detail)")
        }
        var status = 0
        fl_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var total = 0.0, pretransfer = 0.0, firstByte = 0.0
        fl_curl_get_double(handle, CURLINFO_TOTAL_TIME, &total)
        fl_curl_get_double(handle, CURLINFO_PRETRANSFER_TIME, &pretransfer)
        fl_curl_get_double(handle, CURLINFO_STARTTRANSFER_TIME, &firstByte)
        return RawResponse(
            status: status, body: sink.bytes,
            timing: EngineTiming(total: .seconds(total), engine: .seconds(max(0, firstByte - pretransfer))))
    }

    private func setBody(_ body: [UInt8]) {
        fl_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
        guard !body.isEmpty else {
            fl_curl_set_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            return
        }
        _ = body.withUnsafeBytes { bytes in
            // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
            fl_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
    }
}

/// A response as libcurl delivered it.
struct RawResponse: Sendable {
    let status: Int
    let body: [UInt8]
    let timing: EngineTiming
}

/// How long a call took: end to end as libcurl saw it, and the part the engine spent before its
/// first response byte (request sent → first byte), which is the engine's own time.
public struct EngineTiming: Sendable, Equatable {
    public let total: Duration
    public let engine: Duration
}

/// libcurl could not complete a transfer (connect refused, time-out, socket missing…).
struct TransportFailure: Error {
    let code: Int
    let message: String
}
