import Foundation

/// Runs `body` with a fresh tmpfs of `size` mounted on a temporary directory of this host (what a
/// disk-fill test fills instead of this machine's own disk), unmounted and removed afterwards,
/// also when `body` throws.
public func withHostTmpfs<T: Sendable>(size: String, _ body: (String) async throws -> T) async throws -> T {
    let directory = NSTemporaryDirectory() + "fl-tmpfs-" + UUID().uuidString.prefix(8).lowercased()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let mounted = try await CommandRunner.run(["/bin/mount", "-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", directory])
    guard mounted.status == 0 else {
        try? FileManager.default.removeItem(atPath: directory)
        throw HostTmpfsError(message: "mount tmpfs on \(directory): \(mounted.stderr)")
    }
    func cleanUp() async {
        _ = try? await CommandRunner.run(["/bin/umount", "-l", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }
    do {
        let result = try await body(directory)
        await cleanUp()
        return result
    } catch {
        await cleanUp()
        throw error
    }
}

struct HostTmpfsError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
