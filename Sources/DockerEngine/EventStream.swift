import CCurl
import CurlTransport
import Foundation
import Synchronization

/// Reads the engine's `/events` stream on a thread of its own and delivers each event as soon as
/// its line arrives. Ends when the consumer stops iterating (the transfer is woken and aborted
/// at once through `curl_multi_wakeup`), or with an error when the engine closes or refuses it.
final class EventStream: @unchecked Sendable {
    // @unchecked: the curl handles are touched only by the reader thread; `cancelled` is atomic,
    // and `curl_multi_wakeup` is documented as callable from any thread.
    private let multi: UnsafeMutableRawPointer
    private let easy: UnsafeMutableRawPointer
    private let cancelled = Atomic<Bool>(false)
    private let url: String
    private let endpoint: EngineEndpoint
    private let callPath: String

    init(endpoint: EngineEndpoint, url: String, callPath: String) throws(DockerEngineError) {
        CurlRuntime.ensureInitialised()
        guard let multi = curl_multi_init(), let easy = curl_easy_init() else {
            throw DockerEngineError(kind: .transport, method: "GET", path: callPath, message: "could not create a curl handle")
        }
        self.multi = multi
        self.easy = easy
        self.url = url
        self.endpoint = endpoint
        self.callPath = callPath
    }

    deinit {
        curl_multi_cleanup(multi)
        curl_easy_cleanup(easy)
    }

    /// Starts the reader thread; events go to `continuation`.
    func start(into continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation) {
        continuation.onTermination = { [self] _ in
            cancelled.store(true, ordering: .releasing)
            curl_multi_wakeup(multi)
        }
        let thread = Thread { [self] in run(continuation) }
        thread.name = "faultline.engine.events"
        thread.start()
    }

    private func run(_ continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation) {
        let sink = ResponseSink()
        var status = 0
        var errorBody: [UInt8] = []
        let decoder = JSONDecoder()
        sink.shouldAbort = { [unowned self] in self.cancelled.load(ordering: .acquiring) }
        sink.onLine = { [easy] line in
            if status == 0 { fl_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &status) }
            guard status < 300 else { errorBody += line; return }
            if let event = try? decoder.decode(EngineEvent.self, from: Data(line)) {
                continuation.yield(event)
            }
        }
        let unmanagedSink = Unmanaged.passRetained(sink)
        defer { unmanagedSink.release() }

        fl_curl_set_string(easy, CURLOPT_URL, url)
        if let socket = endpoint.socketPath { fl_curl_set_string(easy, CURLOPT_UNIX_SOCKET_PATH, socket) }
        if let tls = endpoint.tls { CurlConnection.applyClientTLS(tls, to: easy) }
        fl_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        fl_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, 5_000)
        fl_curl_set_long(easy, CURLOPT_TCP_NODELAY, 1)
        fl_curl_set_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteToSink)
        fl_curl_set_pointer(easy, CURLOPT_WRITEDATA, unmanagedSink.toOpaque())
        curl_multi_add_handle(multi, easy)
        defer { curl_multi_remove_handle(multi, easy) }

        var running: Int32 = 1
        var result = CURLE_OK
        while running > 0 && !cancelled.load(ordering: .acquiring) {
            let code = curl_multi_perform(multi, &running)
            if code != CURLM_OK { break }
            if running > 0 { curl_multi_poll(multi, nil, 0, 1_000, nil) }
        }
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            if message.pointee.msg == CURLMSG_DONE { result = message.pointee.data.result }
        }
        if cancelled.load(ordering: .acquiring) {
            continuation.finish()
            return
        }
        if status == 0 { fl_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        if status >= 300 {
            continuation.finish(throwing: DockerEngineError(
                kind: .status(status), method: "GET", path: callPath,
                message: DockerEngineClient.engineMessage(errorBody + sink.bytes, status: status)))
        } else if result != CURLE_OK {
            continuation.finish(throwing: DockerEngineError(
                kind: .transport, method: "GET", path: callPath,
                message: "event stream broke: \(String(cString: curl_easy_strerror(result)))"))
        } else {
            continuation.finish(throwing: DockerEngineError(
                kind: .transport, method: "GET", path: callPath, message: "the engine closed the event stream"))
        }
    }
}

extension DockerEngineClient {
    /// The engine's event stream, live. Filter keys are the engine's: `container` (id or name —
    /// a `name` key is silently ignored by the engine), `type`, `event`, `label`.
    /// Iteration ends when the caller stops iterating or cancels its task.
    public func events(filters: [String: [String]] = [:], since: String? = nil)
        throws(DockerEngineError) -> AsyncThrowingStream<EngineEvent, any Error>
    {
        var query: [(String, String)] = []
        if let since { query.append(("since", since)) }
        if !filters.isEmpty { query.append(("filters", String(decoding: Self.json(filters), as: UTF8.self))) }
        let path = "/v\(apiVersion)/events" + Self.encode(query: query)
        let stream = try EventStream(endpoint: endpoint, url: endpoint.baseURL + path, callPath: path)
        return AsyncThrowingStream { continuation in stream.start(into: continuation) }
    }
}
