import Foundation

/// `ContainerFileAccess` on this host: `statvfs`, a fill file allocated with `posix_fallocate`,
/// disks found through `/sys/dev/block`.
public struct HostContainerFiles: ContainerFileAccess {
    public init() {}

    public func reach(_ directory: String, mainPID: Int) throws -> String {
        let root = "/proc/\(mainPID)/root"
        var path = root
        for component in directory.split(separator: "/") where component != "." {
            guard component != ".." else { throw FaultProcessError(message: "\(directory) leaves the container's root") }
            path += "/" + component
            var status = stat()
            guard lstat(path, &status) == 0 else { throw FaultProcessError(message: "\(directory) does not exist in the container") }
            guard status.st_mode & S_IFMT != S_IFLNK else {
                throw FaultProcessError(message: "\(directory) passes through a symbolic link in the container (\(path.dropFirst(root.count))); give the directory it points to")
            }
        }
        return path
    }

    public func space(of directory: String) throws -> FilesystemSpace {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FaultProcessError(message: "\(directory) is not a directory")
        }
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { throw FaultProcessError(message: "statvfs \(directory): \(String(cString: strerror(errno)))") }
        let unit = Int64(stats.f_frsize)
        return FilesystemSpace(total: Int64(stats.f_blocks) * unit, available: Int64(stats.f_bavail) * unit)
    }

    public func fill(_ file: String, bytes: Int64) throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FaultProcessError(message: "create \(file): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // glibc allocates with fallocate(2) and, where a filesystem cannot, by writing a byte per block.
        var status = posix_fallocate(descriptor, 0, off_t(bytes))
        if status == ENOSPC {
            // A writer beside it (a database) took some of the space since it was measured: the
            // filesystem is as full as asked once the fill takes what is left, in halving steps.
            var allocated: off_t = 0, step = off_t(bytes)
            while step >= 4096 && allocated < off_t(bytes) {
                let length = min(step, off_t(bytes) - allocated)
                if posix_fallocate(descriptor, allocated, length) == 0 { allocated += length } else { step /= 2 }
            }
            var stats = statvfs()
            if fstatvfs(descriptor, &stats) == 0, Int64(stats.f_bavail) * Int64(stats.f_frsize) < 1 << 20 { status = 0 }
        }
        guard status == 0 else {
            unlink(file)
            throw FaultProcessError(message: "allocate \(bytes) bytes for \(file): \(String(cString: strerror(status)))")
        }
    }

    public func readText(_ file: String) throws -> String {
        let descriptor = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw FaultProcessError(message: "read \(file): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data = handle.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self)
    }

    public func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 else { throw FaultProcessError(message: "create directory \(path): \(String(cString: strerror(errno)))") }
    }

    public func remove(_ path: String) throws -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return false }
            throw FaultProcessError(message: "remove \(path): \(String(cString: strerror(errno)))")
        }
        if status.st_mode & S_IFMT == S_IFDIR {
            // Foundation walks the tree physically: a symbolic link inside is removed, not followed.
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw FaultProcessError(message: "remove \(path): \(error.localizedDescription)")
            }
            return true
        }
        guard unlink(path) == 0 else { throw FaultProcessError(message: "remove \(path): \(String(cString: strerror(errno)))") }
        return true
    }

    public func blockDevice(of path: String) throws -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { throw FaultProcessError(message: "stat \(path): \(String(cString: strerror(errno)))") }
        let device = UInt64(status.st_dev)
        // glibc's major()/minor() encoding of a dev_t.
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let entry = "/sys/dev/block/\(major):\(minor)"
        guard FileManager.default.fileExists(atPath: entry) else { return nil }
        guard FileManager.default.fileExists(atPath: entry + "/partition") else { return "\(major):\(minor)" }
        // Throttling takes the whole disk: a partition's directory in sysfs lies inside its disk's.
        let disk = URL(fileURLWithPath: entry).resolvingSymlinksInPath().deletingLastPathComponent().path
        guard let text = try? String(contentsOfFile: disk + "/dev", encoding: .utf8) else {
            throw FaultProcessError(message: "cannot find the disk of partition \(major):\(minor) (\(disk)/dev)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
