import ArgumentParser
import DockerEngine
import FaultlineSupport
import Foundation

/// `faultline bench`: figures that compare faultline with the obvious alternatives.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that compare faultline with the alternatives, side by side in one run.",
        subcommands: [EngineBench.self])
}

/// `faultline bench engine`: pause+unpause and /_ping through faultline vs curl vs the docker CLI.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Pause+unpause round trips and /_ping: faultline's client vs a curl process per call vs the docker CLI.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Measured rounds per method (after 3 warm-up rounds).") var rounds = 50
    @Option(name: .long, help: "Image for the throw-away benchmark container (built by scripts/setup.sh).")
    var image = "faultline-test/hostroot:1"

    func run() async throws {
        guard (1...10_000).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 10000") }
        let context = try await CommandContext.make(global)
        guard let socket = context.engine.endpoint.socketPath else {
            throw ValidationError("bench engine compares against curl --unix-socket: use a unix:// engine address")
        }
        let version = try await context.engine.version()
        let docker = ProcessSpawner.locate(["/usr/bin/docker", "/usr/local/bin/docker"])
        let curl = ProcessSpawner.locate(["/usr/bin/curl"])
        let name = "faultline-bench-\(UUID().uuidString.prefix(8).lowercased())"
        let request = ContainerCreateRequest(
            image: image, cmd: ["/bin/sleep", "infinity"], labels: ["faultline.test": "bench"],
            hostConfig: .init(binds: ["/usr:/usr:ro", "/lib:/lib:ro", "/lib64:/lib64:ro", "/bin:/bin:ro"], networkMode: "none"))
        let id = try await context.engine.createContainer(name: name, request)
        do {
            try await context.engine.startContainer(id)
            let benchmark = EngineBenchmark(engine: context.engine, socketPath: socket, rounds: rounds, docker: docker, curl: curl)
            let result = try await benchmark.run(on: id)
            try? await context.engine.removeContainer(id)
            Output(json: false).line(EngineBenchmark.report(result, rounds: rounds, engineVersion: version.version))
            if docker == nil { Output.note("no docker CLI found: its row is missing") }
            if curl == nil { Output.note("no curl found: its rows are missing") }
        } catch {
            try? await context.engine.removeContainer(id)
            throw error
        }
    }
}
