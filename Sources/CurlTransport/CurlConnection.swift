import CCurl
import Dispatch
import FaultlineSupport

/// One HTTP request for `CurlConnection`.
public struct CurlRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: [UInt8]?
    /// Whole-transfer time-out; nil for none (streams).
    public var timeout: Duration?
    public var connectTimeout: Duration
    /// Send the request over this unix socket instead of TCP.
    public var unixSocketPath: String?
    public var verifyTLS: Bool
    /// This side's certificate and the CA it trusts the server by (mutual TLS); nil: none.
    public var clientTLS: TLSFiles?
    /// A stream's limit: the transfer fails when nothing arrived for this long, and the sink's
    /// `shouldAbort` is asked about once a second even while nothing arrives. nil: neither.
    public var stallTimeout: Duration?
    /// Response headers to hand back in `CurlResponse.headers` (names as the server may spell them,
    /// matched case-insensitively).
    public var responseHeaders: [String]

    public init(method: String = "GET", url: String, headers: [String] = [], body: [UInt8]? = nil,
                timeout: Duration? = .seconds(30), connectTimeout: Duration = .seconds(5),
                unixSocketPath: String? = nil, verifyTLS: Bool = true, clientTLS: TLSFiles? = nil, responseHeaders: [String] = []) {
        self.clientTLS = clientTLS
        self.responseHeaders = responseHeaders
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.unixSocketPath = unixSocketPath
        self.verifyTLS = verifyTLS
    }
}

/// One libcurl easy handle, used by one request at a time. Reusing the handle keeps the
/// connection alive between calls (no new socket per request).
///
/// Not thread-safe by itself: `ConnectionPool` hands each connection to one caller at a time,
/// which is why the `@unchecked Sendable` is confined to this one small type.
public final class CurlConnection: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    /// The serial queue this connection's transfers run on (see `ConnectionPool`).
    let queue = DispatchQueue(label: "faultline.curl")
    /// libcurl's message for the last failed transfer (CURLOPT_ERRORBUFFER).
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    public init() throws(TransportFailure) {
        CurlRuntime.ensureInitialised()
        guard let handle = curl_easy_init() else { throw TransportFailure(code: -1, message: "curl_easy_init failed") }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sets an easy handle up for TLS with `tls`: the CA the server is checked by and, when given,
    /// this side's certificate and key (mutual TLS).
    public static func applyClientTLS(_ tls: TLSFiles, to handle: UnsafeMutableRawPointer) {
        if !tls.certificate.isEmpty {
            fl_curl_set_string(handle, CURLOPT_SSLCERT, tls.certificate)
            fl_curl_set_string(handle, CURLOPT_SSLKEY, tls.key)
        }
        fl_curl_set_string(handle, CURLOPT_CAINFO, tls.certificateAuthority)
    }

    /// Performs one HTTP request and returns status, body and timing. Blocks the calling thread.
    public func perform(_ request: CurlRequest, sink: ResponseSink = ResponseSink()) throws(TransportFailure) -> CurlResponse {
        let transfer = prepare(request, sink: sink)
        return try transfer.finish(curl_easy_perform(handle))
    }

    /// Sets the handle up for `request` without running it, for a caller that drives the transfer
    /// itself (a multi handle); `finish` with the transfer's result code reads the response.
    public func prepare(_ request: CurlRequest, sink: ResponseSink = ResponseSink()) -> PreparedTransfer {
        curl_easy_reset(handle)  // keeps the live connection, clears per-request options
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = curl_slist_append(headers, "Expect:")
        if request.body != nil && !request.headers.contains(where: { $0.lowercased().hasPrefix("content-type:") }) {
            headers = curl_slist_append(headers, "Content-Type: application/json")
        }
        for header in request.headers { headers = curl_slist_append(headers, header) }
        let transfer = PreparedTransfer(connection: self, request: request, sink: sink, headers: headers)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        fl_curl_set_string(handle, CURLOPT_URL, request.url)
        if let socket = request.unixSocketPath { fl_curl_set_string(handle, CURLOPT_UNIX_SOCKET_PATH, socket) }
        fl_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        fl_curl_set_long(handle, CURLOPT_TCP_NODELAY, 1)
        fl_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeout.milliseconds)))
        fl_curl_set_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.map { max(1, Int($0.milliseconds)) } ?? 0)
        fl_curl_set_string(handle, CURLOPT_NOPROXY, "*")  // never send probe or engine traffic through a proxy
        if !request.verifyTLS {
            fl_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            fl_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let tls = request.clientTLS { Self.applyClientTLS(tls, to: handle) }
        if let stall = request.stallTimeout {
            fl_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
            fl_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(stall.milliseconds / 1000)))
            fl_curl_set_progress_callback(handle, curlAskSinkToAbort, transfer.sinkPointer)
        }
        fl_curl_set_slist(handle, CURLOPT_HTTPHEADER, headers)
        fl_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        fl_curl_set_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteToSink)
        fl_curl_set_pointer(handle, CURLOPT_WRITEDATA, transfer.sinkPointer)
        switch request.method {
        case "GET":
            fl_curl_set_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            fl_curl_set_long(handle, CURLOPT_NOBODY, 1)
        case "POST":
            fl_curl_set_long(handle, CURLOPT_POST, 1)
            setBody(request.body ?? [])
        default:
            fl_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
            if let body = request.body { setBody(body) }
        }
        return transfer
    }

    /// The response of the transfer just run on the handle, or why it failed.
    fileprivate func response(to request: CurlRequest, code: CURLcode, sink: ResponseSink) throws(TransportFailure) -> CurlResponse {
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let summary = String(cString: curl_easy_strerror(code))
            throw TransportFailure(code: Int(code.rawValue), message: detail.isEmpty ? summary : detail)
        }
        var status = 0, connects = 0
        fl_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        fl_curl_get_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        var total = 0.0, pretransfer = 0.0, firstByte = 0.0
        fl_curl_get_double(handle, CURLINFO_TOTAL_TIME, &total)
        fl_curl_get_double(handle, CURLINFO_PRETRANSFER_TIME, &pretransfer)
        fl_curl_get_double(handle, CURLINFO_STARTTRANSFER_TIME, &firstByte)
        var headerValues: [String: String] = [:]
        for name in request.responseHeaders {
            if let value = fl_curl_header_value(handle, name) { headerValues[name] = String(cString: value) }
        }
        return CurlResponse(
            status: status, body: sink.bytes, headers: headerValues, newConnections: connects,
            timing: CurlTiming(total: .seconds(total), server: .seconds(max(0, firstByte - pretransfer))))
    }

    /// The easy handle, for a multi handle to run (`prepare` first).
    public var easyHandle: UnsafeMutableRawPointer { handle }

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

/// A request set up on a connection's handle: keeps its headers and sink alive until `finish`.
public final class PreparedTransfer {
    private let connection: CurlConnection
    private let request: CurlRequest
    private let sink: Unmanaged<ResponseSink>
    private var headers: UnsafeMutablePointer<curl_slist>?

    fileprivate init(connection: CurlConnection, request: CurlRequest, sink: ResponseSink, headers: UnsafeMutablePointer<curl_slist>?) {
        self.connection = connection
        self.request = request
        self.sink = Unmanaged.passRetained(sink)
        self.headers = headers
    }

    fileprivate var sinkPointer: UnsafeMutableRawPointer { sink.toOpaque() }

    /// The response, given the code the transfer ended with.
    public func finish(_ code: CURLcode) throws(TransportFailure) -> CurlResponse {
        try connection.response(to: request, code: code, sink: sink.takeUnretainedValue())
    }

    deinit {
        curl_slist_free_all(headers)
        sink.release()
    }
}

/// A response as libcurl delivered it.
public struct CurlResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    /// The headers the request asked for (`CurlRequest.responseHeaders`) that the response carried,
    /// under the name the request used.
    public let headers: [String: String]
    /// New connections this transfer opened (0 when a kept-alive one was reused).
    public let newConnections: Int
    public let timing: CurlTiming
}

/// How long a transfer took: end to end, and the part the server spent before its first
/// response byte (request sent → first byte).
public struct CurlTiming: Sendable, Equatable {
    public let total: Duration
    public let server: Duration
}

/// libcurl could not complete a transfer (connect refused, time-out, socket missing…).
public struct TransportFailure: Error, CustomStringConvertible {
    public let code: Int
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// CURLE_OPERATION_TIMEDOUT.
    public var isTimeout: Bool { code == 28 }

    /// The TLS handshake failed or a certificate was refused, on either side (CURLE_SSL_CONNECT_ERROR,
    /// PEER_FAILED_VERIFICATION, SSL_CERTPROBLEM, SSL_CACERT_BADFILE, a peer's alert on receive…).
    public var isTLS: Bool {
        [35, 53, 58, 59, 60, 66, 77, 80, 83, 90, 91, 98].contains(code) || message.contains("SSL") || message.contains("alert")
    }
    /// CURLE_COULDNT_CONNECT.
    public var isConnectFailure: Bool { code == 7 }
    public var description: String { message }
}
