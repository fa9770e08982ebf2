import Daemon
import FaultlineSupport
import Foundation

/// Starts `faultline warden` for a state directory as a process of its own session, so it outlives
/// the daemon or run that started it (a SIGKILL of that process, or of its process group, leaves
/// the warden watching). It is given the same engine and engine time-out as its starter (not
/// whatever `DOCKER_HOST` says), and none of its starter's descriptors. A live warden already
/// watching the directory is left to watch this starter too, and none is started (the caller's
/// heartbeat must already be written — `WardenLock` says why that is safe); should two start at
/// once, the second finds the first's lock and exits.
enum WardenLauncher {
    /// Starts one unless one watches; returns the pid of the one started, or nil when one already
    /// watches or it could not be started (reported, not fatal). `linger`: how long it stays once
    /// nothing is left to watch.
    @discardableResult
    static func start(options: GlobalOptions, logLevel: String = "notice", linger: Duration = .zero) -> Int32? {
        let stateDirectory = options.resolvedStateDirectory
        if WardenLock.isWatched(stateDirectory) { return nil }
        let executable = FaultlineExecutable.path
        var argv = [executable, "warden", "--state-dir", stateDirectory, "--log-level", logLevel,
                    "--engine-timeout", options.engineTimeout, "--linger", DurationText.format(linger)]
        if let engine = try? options.endpoint() { argv += ["--engine", engine.address] }
        switch ChildProcess.spawn(argv, stderr: .appendFile(stateDirectory + "/warden.log"), grouping: .ownSession) {
        case .failure(let failure):
            Output.note("could not start the warden (\(failure)); a crash would leave faults until `faultline recover`")
            return nil
        case .success(let child):
            // Reap it whenever it exits, so it never lingers as a zombie of this process.
            Thread.detachNewThread { _ = ChildProcess.wait(child) }
            return child
        }
    }
}
