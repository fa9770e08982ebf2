import Foundation

/// `CgroupAccess` on this host: finds a process's cgroup through `/proc/PID/cgroup` and the
/// mount table, so it works with cgroup v1 (cgroupfs or systemd driver) and v2 alike.
public struct HostCgroups: CgroupAccess {
    let procRoot: String

    public init(procRoot: String = "/proc") { self.procRoot = procRoot }

    public func directory(controller: CgroupController, pid: Int) throws -> CgroupDirectory {
        let (membership, mounts) = try membershipAndMounts(pid: pid)
        let located = try Self.locate(controller: controller, membership: membership, mountinfo: mounts)
        guard exists(located.path) else {
            throw CgroupError(message: "the \(controller.rawValue) cgroup \(located.path) of process \(pid) is not visible here; run faultline on the engine's host, not in a container")
        }
        return located
    }

    /// Pure part of `directory`: from `/proc/PID/cgroup` and `/proc/self/mountinfo` text.
    static func locate(controller: CgroupController, membership: String, mountinfo: String) throws -> CgroupDirectory {
        var unifiedPath: String?
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",").map(String.init)
            if controllers.contains(controller.rawValue) {
                guard let mount = mountPoint(mountinfo: mountinfo, fsType: "cgroup", option: controller.rawValue) else {
                    throw CgroupError(message: "no cgroup v1 mount for the \(controller.rawValue) controller")
                }
                return CgroupDirectory(path: mount + String(fields[2]), version: .v1)
            }
            if fields[0] == "0" && fields[1].isEmpty { unifiedPath = String(fields[2]) }
        }
        if let unifiedPath, let mount = mountPoint(mountinfo: mountinfo, fsType: "cgroup2", option: nil) {
            return CgroupDirectory(path: mount + (unifiedPath == "/" ? "" : unifiedPath), version: .v2)
        }
        throw CgroupError(message: "the \(controller.rawValue) cgroup controller is not available on this host")
    }

    /// Every cgroup directory of process `pid` that exists here: one per v1 hierarchy it is in
    /// (`cpu`, `memory`, `pids`, `name=systemd`…) and its v2 one.
    public func memberships(pid: Int) throws -> [String] {
        let (membership, mounts) = try membershipAndMounts(pid: pid)
        let directories = Self.memberships(membership: membership, mountinfo: mounts).filter(exists)
        guard !directories.isEmpty else {
            throw CgroupError(message: "no cgroup of process \(pid) is visible here; run faultline on the engine's host, not in a container")
        }
        return directories
    }

    /// `/proc/PID/cgroup` and this process's `/proc/self/mountinfo`, what both lookups start from.
    private func membershipAndMounts(pid: Int) throws -> (membership: String, mountinfo: String) {
        do {
            return (try String(contentsOfFile: "\(procRoot)/\(pid)/cgroup", encoding: .utf8),
                    try String(contentsOfFile: "\(procRoot)/self/mountinfo", encoding: .utf8))
        } catch {
            throw CgroupError(message: "cannot read the cgroup of process \(pid): \(error.localizedDescription)")
        }
    }

    /// Pure part of `memberships(pid:)`.
    static func memberships(membership: String, mountinfo: String) -> [String] {
        var directories: [String] = []
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let mount: String?
            if fields[0] == "0" && fields[1].isEmpty {
                mount = mountPoint(mountinfo: mountinfo, fsType: "cgroup2", option: nil)
            } else {
                mount = fields[1].split(separator: ",").first.flatMap { mountPoint(mountinfo: mountinfo, fsType: "cgroup", option: String($0)) }
            }
            if let mount { directories.append(mount + (fields[2] == "/" ? "" : String(fields[2]))) }
        }
        return directories
    }

    /// The mount point of a cgroup filesystem; for v1, the one whose super options name `option`.
    static func mountPoint(mountinfo: String, fsType: String, option: String?) -> String? {
        for line in mountinfo.split(separator: "\n") {
            guard let separator = line.range(of: " - ") else { continue }
            let before = line[..<separator.lowerBound].split(separator: " ")
            let after = line[separator.upperBound...].split(separator: " ")
            guard before.count >= 5, after.count >= 3, after[0] == fsType else { continue }
            if let option, !after[2].split(separator: ",").contains(Substring(option)) { continue }
            return String(before[4])
        }
        return nil
    }

    public func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CgroupError(message: "cannot read \(path): \(error.localizedDescription)")
        }
    }

    public func write(_ path: String, value: String) throws {
        let descriptor = open(path, O_WRONLY | O_TRUNC)
        guard descriptor >= 0 else {
            throw CgroupError(message: "cannot open \(path) for writing: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw CgroupError(message: "cannot write '\(value)' to \(path): \(String(cString: strerror(errno)))")
        }
    }

    public func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

/// A cgroup could not be found, read or written.
public struct CgroupError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
