import FaultlineSupport
import Foundation
import Glibc
import Synchronization

/// The proxy of the `http` and `websocket` faults: a process of faultline's own (`faultline
/// intercept-proxy`) that runs in the target container's network namespace and cgroups. The
/// fault's rule redirects new connections on the port here; the proxy finds each one's original
/// destination (`SO_ORIGINAL_DST`) and forwards there (its own connections carry `forwardMark`,
/// which the rule lets pass). For `http` it reads the requests on a connection one by one and acts
/// on the ones the fault matches; for `websocket` it reads the messages after an upgrade
/// (`InterceptProxy+WebSocket`). Bytes that are not an HTTP/1.x request (TLS, another protocol)
/// are copied through untouched — unless the campaign gave a CA to terminate TLS with (`tls`):
/// then a connection that begins a TLS handshake is terminated (`TLSTermination`) and read in the
/// clear, and forwarded over TLS of the proxy's own. At the end of its lifetime, or on SIGTERM, it deletes the rules
/// carrying `ruleMark` and exits, which closes the connections opened through it.
public struct InterceptProxy: Sendable {
    /// What the proxy does to the traffic it reads.
    public enum Behaviour: Sendable {
        case http(HTTPRequestMatch, HTTPFaultAnswer)
        case websocket(WebSocketParameters)
    }

    public let port: UInt16
    public let behaviour: Behaviour
    public let lifetime: Duration
    /// The comment of the rules that send connections here, deleted on the way out; nil: none.
    public let ruleMark: String?
    /// Where to forward instead of each connection's original destination (tests without a redirect).
    public let upstream: (host: String, port: UInt16)?
    public let forwardMark: UInt32
    /// The CA to terminate TLS with; nil: TLS passes through untouched.
    public let tls: InterceptTLS?

    static let stopping = Atomic<Bool>(false)
    /// `SO_ORIGINAL_DST` (linux/netfilter_ipv4.h), at level `SOL_IP`.
    static let originalDestinationOption: Int32 = 80
    /// How long a connection to the upstream may take.
    static let connectTimeout = Duration.seconds(10)

    public init(port: UInt16, behaviour: Behaviour, lifetime: Duration, ruleMark: String? = nil,
                upstream: (host: String, port: UInt16)? = nil, forwardMark: UInt32 = DNSResponder.defaultForwardMark, tls: InterceptTLS? = nil) {
        self.port = port
        self.behaviour = behaviour
        self.lifetime = lifetime
        self.ruleMark = ruleMark
        self.upstream = upstream
        self.forwardMark = forwardMark
        self.tls = tls
    }

    /// Serves until its lifetime ends or SIGTERM; then deletes its rules. `ready` gets the port once
    /// the listener is bound (port 0: one the kernel chose; tests start clients then).
    public func run(ready: (UInt16) -> Void = { _ in }) throws {
        let decider: Decider
        switch behaviour {
        case .http(let match, _): decider = .http(try HTTPRequestMatch.Decider(match))
        case .websocket(let parameters): decider = .websocket(try WebSocketDecider(parameters))
        }
        let termination = try tls.map { settings throws(TLSSetupError) in try TLSTermination(settings) }
        let listener = try HelperSocket.listener(tcpPort: port)
        defer { close(listener) }
        signal(SIGPIPE, SIG_IGN)
        signal(SIGTERM) { _ in InterceptProxy.stopping.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in InterceptProxy.stopping.store(true, ordering: .relaxed) }
        ready(UInt16(bigEndian: HelperSocket.localAddress(of: listener).sin_port))
        let end = ContinuousClock.now + lifetime
        while ContinuousClock.now < end, !Self.stopping.load(ordering: .relaxed) {
            var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let proxy = self
            Thread.detachNewThread { Connection.serve(accepted: client, proxy: proxy, decider: decider, termination: termination) }
        }
        if let ruleMark { HelperRules.delete(markedWith: ruleMark, table: "nat", chains: ["OUTPUT", "PREROUTING"]) }
    }

    /// What decides, across every connection, which requests or messages the fault acts on.
    enum Decider: Sendable {
        case http(HTTPRequestMatch.Decider)
        case websocket(WebSocketDecider)
    }

    /// One client connection, on a thread of its own; its response direction on another.
    final class Connection: @unchecked Sendable {
        /// The client's socket, or the clear end of its terminated TLS.
        let client: Int32
        let proxy: InterceptProxy
        let decider: Decider
        /// Where the client meant to connect; nil: nowhere the proxy may forward to.
        let destination: sockaddr_in?
        /// The client's terminated TLS, and what makes the upstream's; nil: none.
        let clientTLS: (bridge: TLSBridge, termination: TLSTermination)?
        var upstream: Int32 = -1
        let pumpDone = DispatchSemaphore(value: 0)
        /// What the client sent that has not gone upstream yet.
        let incoming: SocketReader
        var resetting = false
        /// Whether the upstream-to-client direction runs (and will signal `pumpDone`).
        var responding = false

        init(client: Int32, destination: sockaddr_in?, proxy: InterceptProxy, decider: Decider, clientTLS: (bridge: TLSBridge, termination: TLSTermination)? = nil) {
            self.client = client
            incoming = SocketReader(client)
            self.destination = destination
            self.proxy = proxy
            self.decider = decider
            self.clientTLS = clientTLS
        }

        /// Serves an accepted connection: terminates its TLS first when the proxy has a CA for it and
        /// the client begins a handshake (without SNI the certificate names the original address).
        static func serve(accepted: Int32, proxy: InterceptProxy, decider: Decider, termination: TLSTermination?) {
            let destination = destination(of: accepted, proxy: proxy)
            guard let termination, let destination, TLSTermination.beginsHandshake(accepted) else {
                return Connection(client: accepted, destination: destination, proxy: proxy, decider: decider).serve()
            }
            let peer = HelperSocket.text(HelperSocket.remoteAddress(of: accepted))
            guard let terminated = termination.terminate(client: accepted, address: HelperSocket.text(destination, port: false), what: "client \(peer)") else { return }
            Connection(client: terminated.clear, destination: destination, proxy: proxy, decider: decider, clientTLS: (terminated.bridge, termination)).serve()
        }

        func serve() {
            defer { finish() }
            guard let destination else { return reset() }
            switch (decider, proxy.behaviour) {
            case (.http(let decider), .http(_, let answer)): serveHTTP(to: destination, decider: decider, answer: answer)
            case (.websocket(let decider), .websocket): serveWebSocket(to: destination, decider: decider)
            default: passThrough(to: destination)
            }
        }

        /// Requests one by one: the matching ones get the fault's answer, or go upstream late or with
        /// their response changed; the rest go upstream as they are.
        private func serveHTTP(to destination: sockaddr_in, decider: HTTPRequestMatch.Decider, answer: HTTPFaultAnswer) {
            // Responses are read one by one only when the fault changes some; otherwise they are copied.
            let expected = answer.response.map { _ in ExpectedResponses() }
            while true {
                guard fillHead() else { return }
                guard let end = HTTPRequestHead.endIndex(in: incoming.pending), let head = HTTPRequestHead.parse(incoming.pending[..<end]), let body = head.body else {
                    // Not HTTP/1.x (or a head too long to read): every byte goes through as it is.
                    return passThrough(to: destination, expected: expected)
                }
                let acts = decider.actsOn(head)
                if acts {
                    if let delay = answer.delay { Thread.sleep(forTimeInterval: delay.seconds) }
                    if answer.reset == true { return reset() }
                    if answer.status != nil {
                        _ = HelperSocket.writeAll(client, answer.response(toHead: head.method))
                        shutdown(client, Int32(SHUT_WR))
                        // Closing with the request's body unread would reset the connection under the answer.
                        return HelperSocket.drain(client, for: .seconds(2))
                    }
                }
                // Known before the request leaves, so its response finds it.
                expected?.append(ExpectedResponses.Request(method: head.method, change: acts ? answer.response : nil))
                guard connect(to: destination, expected: expected), HelperSocket.writeAll(upstream, incoming.pending[..<end]) else { return reset() }
                incoming.pending.removeFirst(end)
                guard incoming.relay(body, to: { HelperSocket.writeAll(upstream, $0) }) else { return }
                if head.switchesProtocol { return copyRest() }
            }
        }

        /// Reads until a whole request head is pending, or what is pending cannot begin one; false at the client's end.
        func fillHead() -> Bool { incoming.fillHead(mayBegin: HTTPRequestHead.mayBeRequest) }

        func passThrough(to destination: sockaddr_in, expected: ExpectedResponses? = nil) {
            guard connect(to: destination, expected: expected), HelperSocket.writeAll(upstream, incoming.pending) else { return reset() }
            incoming.pending.removeAll()
            copyRest()
        }

        /// Copies the client's bytes upstream until either side ends.
        func copyRest() { Connection.copy(from: client, to: upstream, first: []) }

        /// The connection's upstream, opened once; the upstream's bytes go to the client on a thread of
        /// their own: unchanged, or response by response when `expected` says what each answers.
        func connect(to destination: sockaddr_in, expected: ExpectedResponses? = nil) -> Bool {
            if upstream >= 0 { return true }
            guard openUpstream(to: destination) else { return false }
            let client = client
            startResponseDirection { upstream in
                guard let expected else {
                    Connection.copy(from: upstream, to: client, first: [])
                    return .close
                }
                return ResponseRelay(upstream: upstream, client: client, expected: expected).run()
            }
            return true
        }

        /// Opens the upstream connection (marked, so the redirect lets it pass), over TLS of the
        /// proxy's own when the client's was terminated; false when it cannot.
        func openUpstream(to destination: sockaddr_in) -> Bool {
            guard let socket = HelperSocket.connect(destination, mark: proxy.forwardMark, timeout: InterceptProxy.connectTimeout) else { return false }
            guard let clientTLS else {
                upstream = socket
                return true
            }
            let address = HelperSocket.text(destination, port: false)
            guard let forwarded = clientTLS.termination.forward(upstream: socket, serverName: clientTLS.bridge.serverName, address: address,
                                                               what: "upstream \(HelperSocket.text(destination))") else { return false }
            upstream = forwarded.clear
            return true
        }

        /// How the upstream-to-client direction ends the client's connection.
        enum DirectionEnd {
            /// FIN: the client sees the upstream's end.
            case close
            /// RST, sent when the connection is closed (the request direction wakes and finishes).
            case reset
        }

        /// Runs the upstream-to-client direction on a thread of its own; when it ends (the upstream's
        /// end, or the client gone) the client sees the same end, or a reset when the body says so.
        func startResponseDirection(_ body: @escaping @Sendable (Int32) -> DirectionEnd) {
            let socket = upstream, client = client, done = pumpDone, tls = clientTLS?.bridge
            responding = true
            Thread.detachNewThread {
                switch body(socket) {
                case .close:
                    shutdown(client, Int32(SHUT_RDWR))
                case .reset:
                    // Abortive close: the descriptor is closed by `finish`, after the request
                    // direction stops reading (shut down for reading, which sends nothing).
                    Connection.resetOnClose(client, tls: tls)
                    shutdown(client, Int32(SHUT_RD))
                }
                done.signal()
            }
        }

        /// Writes `first`, then copies until either side ends.
        static func copy(from source: Int32, to destination: Int32, first: [UInt8]) {
            guard first.isEmpty || HelperSocket.writeAll(destination, first) else { return }
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = read(source, &buffer, buffer.count)
                guard count > 0, HelperSocket.writeAll(destination, Array(buffer[0..<count])) else { return }
            }
        }

        /// Where the client meant to connect: the redirect's original destination, or the test's upstream.
        static func destination(of client: Int32, proxy: InterceptProxy) -> sockaddr_in? {
            if let upstream = proxy.upstream { return HelperSocket.ipv4(upstream.host, upstream.port) }
            var original = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            guard getsockopt(client, Int32(SOL_IP), InterceptProxy.originalDestinationOption, &original, &length) == 0 else { return nil }
            // Not redirected (a client that dialled the proxy's own port): no destination but itself.
            let local = HelperSocket.localAddress(of: client)
            guard original.sin_port != local.sin_port || original.sin_addr.s_addr != local.sin_addr.s_addr else { return nil }
            return original
        }

        /// Ends the client's connection with a TCP RST.
        func reset() {
            resetting = true
            Connection.resetOnClose(client, tls: clientTLS?.bridge)
        }

        /// Makes closing the client's descriptor reset its connection: the TCP socket's own, or,
        /// under terminated TLS, the bridge's (the clear end is a socket pair, which has no RST).
        static func resetOnClose(_ client: Int32, tls: TLSBridge?) {
            tls?.abort()
            HelperSocket.resetOnClose(client)
        }

        /// Closes both sides once the response direction has finished with the client's descriptor
        /// (closed earlier, its number could already belong to another connection).
        private func finish() {
            if upstream >= 0 {
                shutdown(upstream, resetting ? Int32(SHUT_RDWR) : Int32(SHUT_WR))
                if responding, pumpDone.wait(timeout: .now() + 30) == .timedOut {
                    shutdown(upstream, Int32(SHUT_RDWR))
                    pumpDone.wait()
                }
                close(upstream)
            }
            close(client)
        }
    }
}
