import ArgumentParser
import DockerEngine
@testable import FaultlineCLI
@testable import Faults

import FaultlineSupport
import TestSupport
import Foundation
import Testing

@Suite struct CommandLineTests {
    /// The message `inject` would print for these arguments, or nil if they are valid.
    func injectError(_ arguments: [String]) -> String? {
        do {
            let command = try InjectCommand.parse(arguments)
            _ = try command.validatedPlan()
            return nil
        } catch {
            let (code, message) = FaultlineMain.classify(error)
            #expect(code == 2, "invalid input must exit 2: \(arguments)")
            return message ?? InjectCommand.message(for: error)
        }
    }

    // --version names the release, the commit built from and the engine API range; completions are generated.
    @Test func printsVersionAndCompletions() async throws {
        let version = try await FaultlineProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("faultline \(FaultlineCommand.release) (commit "), "\(version.stdout)")
        #expect(!version.stdout.contains("commit )") && version.stdout.contains("Docker Engine API 1.40–1.43"), "\(version.stdout)")
        let completion = try await FaultlineProcess.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.stdout.contains("inject"))
    }

    // Each kind of bad inject input gets one clear line, exit code 2.
    @Test func rejectsBadInjects() {
        #expect(injectError(["paus", "x"])?.contains("unknown fault kind 'paus'; did you mean 'pause'?") == true)
        #expect(injectError(["pause", "x"])?.contains("pause needs --for DURATION") == true)
        #expect(injectError(["pause", "x", "--for", "3q"])?.contains("invalid duration '3q'") == true)
        #expect(injectError(["cpu", "x", "--for", "1s"])?.contains("cpu needs --cpus") == true)
        #expect(injectError(["cpu", "x", "--for", "1s", "--cpus", "0"])?.contains("--cpus must be 0.01 … 1024 (cores), got 0") == true)
        #expect(injectError(["memory", "x", "--for", "1s", "--memory", "1m"])?.contains("at least 6MiB") == true)
        #expect(injectError(["memory", "x", "--for", "1s", "--memory", "12x"])?.contains("invalid size '12x'") == true)
        #expect(injectError(["kill", "x", "--signal", "SIGKIL"])?.contains("did you mean SIGKILL") == true)
        #expect(injectError(["restart", "x", "--for", "1s"])?.contains("restart is one-shot") == true)
        #expect(injectError(["pause", "x", "--for", "1s", "--cpus", "1"])?.contains("--cpus does not apply to pause") == true)
        #expect(injectError(["pause", "x", "--for", "0s"])?.contains("--for must be longer than 0") == true)
    }

    // Valid inputs build the intended fault.
    @Test func buildsPlans() throws {
        let cpu = try InjectCommand.parse(["cpu", "api", "--cpus", "0.25", "--for", "1m"]).validatedPlan()
        #expect((cpu.action as? CPUFault)?.cpus == 0.25)
        #expect(cpu.window == .seconds(60))
        let kill = try InjectCommand.parse(["kill", "w", "--signal", "term"]).validatedPlan()
        #expect((kill.action as? KillFault)?.signal == "SIGTERM")
        #expect(kill.window == nil)
        // A flag alone says yes; with a value it takes true or false.
        let alone = try InjectCommand.parse(["process-kill", "w", "--pattern", "worker", "--include-main", "--signal", "term"]).validatedPlan()
        let fault = try #require(alone.action as? ProcessKillFault)
        #expect(fault.pattern == "worker" && fault.includeMain && fault.signal == "SIGTERM")
        let last = try InjectCommand.parse(["process-kill", "w", "--pattern", "worker", "--include-main"]).validatedPlan()
        #expect((last.action as? ProcessKillFault)?.includeMain == true)
        let no = try InjectCommand.parse(["process-kill", "w", "--pattern", "worker", "--include-main", "false"]).validatedPlan()
        #expect((no.action as? ProcessKillFault)?.includeMain == false)
        #expect(injectError(["process-kill", "w", "--pattern", "worker", "--include-main", "yes"])?.contains("--include-main must be true or false") == true)
    }

    // Errors map to the documented exit codes: engine 3, input 2, explicit codes kept.
    @Test func classifiesErrors() {
        let engineError = DockerEngineError(kind: .transport, method: "GET", path: "/_ping", message: "refused")
        #expect(FaultlineMain.classify(engineError).0 == 3)
        #expect(FaultlineMain.classify(TargetError.notFound(reference: "x", suggestions: [], existing: [])).0 == 2)
        #expect(FaultlineMain.classify(ValidationError("bad")).0 == 2)
        #expect(FaultlineMain.classify(ExitCode(143)).0 == 143)
        #expect(FaultlineMain.classify(LedgerError(path: "/x", operation: "write", reason: "read-only")).0 == 3)
    }

    // Against the real engine: an unknown target names the close containers that exist, exit 2.
    @Test func unknownTargetListsNames() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "named"), engine: engine) { container in
            let typo = String(container.name.dropLast())
            let result = try await FaultlineProcess.run(["inject", "pause", typo, "--for", "1s", "--state-dir", NSTemporaryDirectory() + "fl-cli"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("no container named '\(typo)'; did you mean '\(container.name)'?"), "\(result.stderr)")
        }
    }

    // With the engine unreachable, commands fail with exit 3 and a line naming the call.
    @Test func engineDownIsExit3() async throws {
        let result = try await FaultlineProcess.run(["targets", "--engine", "unix:///tmp/faultline-no-engine.sock"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("engine call GET /_ping failed"))
    }

    // SIGINT while a stop waits out a 10-minute grace (PID 1 ignores SIGTERM): the stop is
    // hurried with SIGKILL, the container is started again, and the command exits 130 at once.
    @Test func signalHurriesALongStop() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "hurry"), engine: engine) { container in
            let state = NSTemporaryDirectory() + "fl-hurry-" + UUID().uuidString
            let process = try FaultlineProcess(["inject", "stop", container.name, "--for", "30s", "--grace", "600", "--state-dir", state])
            try await Task.sleep(for: .seconds(1))
            let clock = ContinuousClock(), signalled = clock.now
            process.signal(SIGINT)
            let status = try await process.waitForExit(timeout: .seconds(30))
            #expect(status == 130, "\(process.text)")
            #expect(clock.now - signalled < .seconds(10), "it took \(clock.now - signalled)")
            #expect(process.text.contains("hurrying it with SIGKILL"), "\(process.text)")
            #expect(try await engine.inspectContainer(container.id).state.running == true)
            #expect(try FaultLedger(stateDirectory: state).openEntries().isEmpty)
        }
    }

    // A read-only ledger location refuses the inject before anything changes.
    @Test func refusesWithoutLedger() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "noledger"), engine: engine) { container in
            let result = try await FaultlineProcess.run(["inject", "pause", container.name, "--for", "1s", "--state-dir", "/proc/faultline-state"])
            #expect(result.status == 3)
            #expect(result.stderr.contains("refuses to inject without a ledger"), "\(result.stderr)")
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
        }
    }

    // A first inject makes its state directory 0700 (before its heartbeat puts anything there, while
    // the warden is launched beside the handshake) and leaves no heartbeat behind when it ends.
    @Test func makesItsStateDirectoryPrivate() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "freshstate"), engine: engine) { container in
            let state = NSTemporaryDirectory() + "fl-fresh-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: state) }
            let result = try await FaultlineProcess.run(["inject", "pause", container.name, "--for", "100ms", "--state-dir", state])
            #expect(result.status == 0, "\(result.stderr)")
            var info = stat()
            #expect(stat(state, &info) == 0 && info.st_mode & 0o777 == 0o700)
            let beats = (try? FileManager.default.contentsOfDirectory(atPath: state + "/heartbeats")) ?? []
            #expect(beats.filter { Int32($0) != nil }.isEmpty, "\(beats)")
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
        }
    }

    // targets --json lists the test container with its labels and networks.
    @Test func listsTargets() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "targets", extraLabels: ["faultline.protect": "true"]), engine: engine) { container in
            let result = try await FaultlineProcess.run(["targets", "--json"])
            #expect(result.status == 0)
            #expect(result.stdout.contains(#""name":"\#(container.name)""#))
            let table = try await FaultlineProcess.run(["targets"])
            let row = table.stdout.split(separator: "\n").first { $0.hasPrefix(container.name) }
            #expect(row?.hasSuffix("protected") == true, "\(table.stdout)")
            let refused = try await FaultlineProcess.run(["inject", "pause", container.name, "--for", "1s", "--state-dir", NSTemporaryDirectory() + "fl-cli"])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("faultline.protect=true"))
        }
    }

    // proxy addresses: PORT alone listens on 127.0.0.1; anything else must be HOST:PORT.
    @Test func readsProxyAddresses() throws {
        #expect(try ProxyCommand.address("16380", defaultHost: "127.0.0.1", option: "--listen") == ("127.0.0.1", 16380))
        #expect(try ProxyCommand.address("127.0.0.2:80", defaultHost: "127.0.0.1", option: "--listen") == ("127.0.0.2", 80))
        for bad in ["db", "db:http", "a:b:c", "70000"] {
            #expect(throws: ValidationError.self) { try ProxyCommand.address(bad, defaultHost: nil, option: "--upstream") }
        }
    }
}

