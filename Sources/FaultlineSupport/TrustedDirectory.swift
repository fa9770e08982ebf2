import Foundation

/// A directory faultline reads instructions from (the ledger, heartbeats, schedules) or writes
/// reports into as root. Like ssh with `~/.ssh`, it is created 0700 and an existing one is refused
/// unless it is a directory owned by the effective user and not writable by group or others: anyone
/// who can write there could plant a symlink that makes root overwrite a file, or forge ledger
/// entries that root then carries out.
public enum TrustedDirectory {
    /// Creates `path` (mode 0700, parents as needed) or checks the one that exists. `sharedParent`:
    /// the directory only receives new entries faultline creates exclusively (a run's directory),
    /// so a sticky world-writable one such as /tmp is fine (others can neither replace nor remove
    /// what faultline made there).
    public static func prepare(_ path: String, purpose: String, sharedParent: Bool = false) throws(TrustedDirectoryError) {
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw TrustedDirectoryError(path: path, purpose: purpose, problem: "cannot be read: \(String(cString: strerror(errno)))") }
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty, parent != path, !FileManager.default.fileExists(atPath: parent) {
                do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                    throw TrustedDirectoryError(path: path, purpose: purpose, problem: "cannot be created: \(error.localizedDescription)")
                }
            }
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw TrustedDirectoryError(path: path, purpose: purpose, problem: "cannot be created: \(String(cString: strerror(errno)))")
            }
            guard stat(path, &info) == 0 else {
                throw TrustedDirectoryError(path: path, purpose: purpose, problem: "cannot be read: \(String(cString: strerror(errno)))")
            }
        }
        if let problem = problem(with: info, allowSticky: sharedParent) { throw TrustedDirectoryError(path: path, purpose: purpose, problem: problem) }
    }

    /// Why a directory with these attributes is not to be trusted, or nil.
    static func problem(with info: stat, effectiveUser: uid_t = geteuid(), allowSticky: Bool = false) -> String? {
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "is not a directory" }
        guard info.st_uid == effectiveUser || info.st_uid == 0 else {
            return "is owned by uid \(info.st_uid), not by uid \(effectiveUser) who runs faultline (or root)"
        }
        let mode = info.st_mode & 0o777
        let sticky = info.st_mode & S_ISVTX != 0
        guard mode & 0o022 == 0 || (allowSticky && sticky) else {
            return "is writable by \(mode & 0o020 != 0 ? "its group" : "others") (mode \(String(mode, radix: 8)))"
        }
        return nil
    }
}

/// A state or runs directory faultline refuses to use.
public struct TrustedDirectoryError: Error, CustomStringConvertible, ExitCodeClassified {
    public let path: String
    public let purpose: String
    public let problem: String

    public var description: String {
        "\(purpose) \(path) \(problem); faultline only uses a directory that its own user owns and nobody else can write "
            + "(chmod 700 \(path), or choose another one)"
    }

    public var exitCode: FaultlineExitCode { .infrastructure }
}
