import DockerEngine
import Foundation
import TestSupport
import Testing

/// `faultline inject dns` against real containers on a user-defined network (the engine's resolver
/// at 127.0.0.11): the matching name fails as asked while another resolves, and afterwards the
/// container is exactly as before.
@Suite(.serialized) struct DNSFaultCLITests {
    func withClientAndModel(_ body: @escaping @Sendable (DockerEngineClient, ContainerDetails, ContainerDetails) async throws -> Void) async throws {
        let engine = try await TestEngine.client()
        try await withTestNetwork(engine: engine) { network in
            try await withTestContainer(.init(purpose: "dns-model", networks: [network: ["model"]]), engine: engine) { model in
                try await withTestContainer(.init(purpose: "dns-client", networks: [network: []]), engine: engine) { client in
                    try await body(engine, client, model)
                }
            }
        }
    }

    /// `getent hosts NAME` in the container: its exit status (2: not found) and how long it took.
    func resolve(_ name: String, in container: ContainerDetails, engine: DockerEngineClient) async throws -> (status: Int, seconds: Double) {
        let started = ContinuousClock.now
        let result = try await engine.exec(container.id, ["/usr/bin/getent", "hosts", name])
        return (Int(result.exitCode), (ContinuousClock.now - started).seconds)
    }

    // nxdomain: `model` is not found (at once) while the model's container name resolves; after the
    // window `model` resolves again and no rule or process of the fault is left.
    @Test func nxdomainForTheMatchingNameOnly() async throws {
        try await withClientAndModel { engine, client, model in
            #expect(try await resolve("model", in: client, engine: engine).status == 0)
            let before = try await ContainerSnapshot.take(client.id, engine: engine)
            let stateDir = temporaryPath("faultline-dns-")
            let child = try FaultlineProcess(["inject", "dns", client.name, "--names", "^model$", "--for", "4s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            let failed = try await resolve("model", in: client, engine: engine)
            #expect(failed.status == 2 && failed.seconds < 1, "\(failed)")
            #expect(try await resolve(model.name, in: client, engine: engine).status == 0)
            #expect(try await child.waitForExit() == 0, "\(child.text)")
            #expect(try await resolve("model", in: client, engine: engine).status == 0)
            let after = try await ContainerSnapshot.take(client.id, engine: engine)
            #expect(after == before, "before: \(before)\nafter: \(after)")
        }
    }

    // delay: the real answer, about that much later (getent asks more than once: at least the delay).
    @Test func delayAnswersLate() async throws {
        try await withClientAndModel { engine, client, _ in
            let stateDir = temporaryPath("faultline-dns-")
            let child = try FaultlineProcess(["inject", "dns", client.name, "--names", "^model$", "--delay", "700ms", "--for", "5s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            let late = try await resolve("model", in: client, engine: engine)
            #expect(late.status == 0 && late.seconds >= 0.7 && late.seconds < 4, "\(late)")
            #expect(try await child.waitForExit() == 0, "\(child.text)")
        }
    }

    // Bad input changes nothing: a pattern that is no regular expression, a delay without its answer.
    @Test func badInputIsRefused() async throws {
        try await withClientAndModel { engine, client, _ in
            let regex = try await FaultlineProcess.run(["inject", "dns", client.name, "--names", "(model", "--for", "2s"])
            #expect(regex.status == 2 && regex.stderr.contains("not a regular expression"), "\(regex.stderr)")
            let delay = try await FaultlineProcess.run(["inject", "dns", client.name, "--names", "model", "--answer", "delay", "--for", "2s"])
            #expect(delay.status == 2 && delay.stderr.contains("needs --delay"), "\(delay.stderr)")
            #expect(try await resolve("model", in: client, engine: engine).status == 0)
        }
    }
}
