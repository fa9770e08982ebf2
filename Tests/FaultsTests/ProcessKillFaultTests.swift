import DockerEngine
@testable import Faults
import TestSupport
import Testing

@Suite struct ProcessKillFaultTests {
    static let main = ContainerProcess(pid: 77, startTime: 100, commandLine: "/bin/sh -c run-workers", isMain: true)
    static let workers = [
        ContainerProcess(pid: 80, startTime: 105, commandLine: "celery worker -n one", isMain: false),
        ContainerProcess(pid: 81, startTime: 106, commandLine: "celery worker -n two", isMain: false),
        ContainerProcess(pid: 82, startTime: 107, commandLine: "redis-server *:6379", isMain: false),
    ]

    func fake() -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.processes.set(mainPID: 77, [Self.main] + Self.workers)
        return fake
    }

    // Every process whose command line matches is signalled once, the main process and the others untouched; nothing to revert.
    @Test func signalsTheMatchingProcesses() async throws {
        let fake = fake()
        let prepared = try await ProcessKillFault(pattern: "celery worker", signal: "SIGTERM").prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        #expect(prepared.revert == .nothing)
        try await prepared.inject(fake.environment)
        #expect(fake.processes.signals.map(\.pid) == [80, 81] && fake.processes.signals.allSatisfy { $0.signal == 15 })
        #expect(fake.processes.living(mainPID: 77).map(\.pid) == [77, 82])
    }

    // Nothing matching, or the main process among the matches without include_main: refused before anything is signalled, naming what is there.
    @Test func refusesBeforeSignalling() async throws {
        let fake = fake()
        let target = try await fake.inspectContainer("c1")
        await #expect { _ = try await ProcessKillFault(pattern: "nginx").prepare(target, in: fake.environment) } throws: { error in
            "\(error)".contains("no process matches 'nginx'") && "\(error)".contains("celery worker -n one (pid 80)") && "\(error)".contains("(main process)")
        }
        await #expect { _ = try await ProcessKillFault(pattern: "run-workers|celery").prepare(target, in: fake.environment) } throws: { error in
            "\(error)".contains("matches its main process (/bin/sh -c run-workers)") && "\(error)".contains("include_main: true")
        }
        #expect(fake.processes.signals.isEmpty)
        // Said so: the main process may go too.
        let prepared = try await ProcessKillFault(pattern: "run-workers", includeMain: true).prepare(target, in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.processes.signals.map(\.pid) == [77])
    }

    // A paused or stopped container is refused; so is one whose processes cannot be listed here.
    @Test func refusesATargetItCannotAct() async throws {
        let fake = fake()
        fake.add(FakeEngine.details(id: "c2", name: "stopped", running: false, pid: 0))
        await #expect { _ = try await ProcessKillFault(pattern: "x").prepare(try await fake.inspectContainer("c2"), in: fake.environment) } throws: { error in
            "\(error)".contains("not running")
        }
        fake.add(FakeEngine.details(id: "c3", name: "elsewhere", pid: 99))
        await #expect { _ = try await ProcessKillFault(pattern: "x").prepare(try await fake.inspectContainer("c3"), in: fake.environment) } throws: { error in
            "\(error)".contains("cannot list the processes of elsewhere")
        }
    }

    // The matches all ended between prepare and inject: the inject says so instead of claiming a kill.
    @Test func saysSoWhenEveryMatchEndedMeanwhile() async throws {
        let fake = fake()
        let prepared = try await ProcessKillFault(pattern: "redis").prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        fake.processes.end(pid: 82)
        await #expect { try await prepared.inject(fake.environment) } throws: { "\($0)".contains("ended before it was signalled") }
    }

    // The parameters: a pattern that is no regular expression is refused with the key named; the texts read back the same.
    @Test func parametersReadAndWriteBack() throws {
        #expect { _ = try ProcessKillParameters.read([("pattern", ["worker("])]) } throws: { error in
            (error as? ParameterError)?.key == "pattern" && "\(error)".contains("not a regular expression")
        }
        let parameters = try ProcessKillParameters.read([("pattern", ["celery"]), ("signal", ["term"]), ("include_main", ["true"])])
        #expect(parameters == ProcessKillParameters(pattern: "celery", signal: "SIGTERM", includeMain: true))
        #expect(try ProcessKillParameters.read(parameters.texts) == parameters)
    }

    // /proc/PID/stat's start time is counted after the name's last parenthesis (a name may hold spaces and parentheses).
    @Test func readsTheStartTimeAfterTheName() {
        let stat = "4711 (my (odd) name) S 1 4711 4711 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1234 56"
        #expect(HostProcesses.startTime(stat: stat) == 987654)
        #expect(HostProcesses.startTime(stat: "4711 (short) S 1") == nil)
    }
}
