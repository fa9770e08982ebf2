/// The port an intercepting fault (`http`, `websocket`) redirects: TCP only, read the same way by both kinds.
enum InterceptedPort {
    static func read(_ input: ParameterInput) throws(ParameterError) -> UInt16 {
        let text = input.text("port") ?? ""
        guard let port = BlackholeFault.Port.parse(text), port.proto == "tcp" else {
            throw ParameterError(key: "port", "\(parameter: "port") must be a TCP port (the faults read HTTP and WebSocket over TCP), got \(text)")
        }
        return UInt16(port.number)
    }
}
