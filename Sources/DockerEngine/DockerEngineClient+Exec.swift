extension DockerEngineClient {
    /// Runs `command` in a running container (`exec` create, start attached, inspect) and returns
    /// its exit code and output. `timeout` bounds the whole run.
    public func exec(_ container: String, _ command: [String], user: String? = nil,
                     timeout: Duration = .seconds(30)) async throws(DockerEngineError) -> ExecResult
    {
        struct CreateBody: Encodable {
            let cmd: [String]
            let user: String?
            let attachStdout = true
            let attachStderr = true
            enum CodingKeys: String, CodingKey {
                case cmd = "Cmd", user = "User", attachStdout = "AttachStdout", attachStderr = "AttachStderr"
            }
        }
        struct StartBody: Encodable {
            let detach = false
            let tty = false
            enum CodingKeys: String, CodingKey { case detach = "Detach", tty = "Tty" }
        }
        let created: CreatedObject = try await decode(
            .post, "/containers/\(Self.segment(container))/exec", body: Self.json(CreateBody(cmd: command, user: user)))
        let output = try await send(.post, "/exec/\(Self.segment(created.id))/start", body: Self.json(StartBody()), timeout: timeout)
        let inspected: ExecInspect = try await decode(.get, "/exec/\(Self.segment(created.id))/json")
        let (stdout, stderr) = StreamDemultiplexer.split(output.body)
        return ExecResult(exitCode: inspected.exitCode ?? -1,
                          stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self))
    }
}
