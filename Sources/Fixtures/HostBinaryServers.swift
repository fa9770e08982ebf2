import FaultlineSupport
import Foundation

/// Commands that run real servers from the host's binaries inside throw-away containers (the host's
/// /usr, /lib, /bin and /etc mounted read-only): what the tests and the benchmarks start.
public enum HostBinaryServers {
    /// Redis on 6379, no persistence, reachable from other containers.
    public static let redisCommand = ["/usr/bin/redis-server", "--bind", "0.0.0.0", "--save", "", "--appendonly", "no", "--protected-mode", "no"]

    /// PostgreSQL 15 on 5432 with its data on a tmpfs at /data (initialised on first start, user
    /// `app`, trust authentication); run it as `postgresUser` with SIGINT as the stop signal.
    public static let postgresCommand = ["/bin/sh", "-c", """
        export PATH=/usr/lib/postgresql/15/bin:$PATH
        if [ ! -f /data/pg/PG_VERSION ]; then
          initdb -D /data/pg -U app --auth=trust -E UTF8 --no-locale >/dev/null || exit 1
          echo 'host all all all trust' >> /data/pg/pg_hba.conf
        fi
        exec postgres -D /data/pg -c listen_addresses='*' -c unix_socket_directories=/data -c fsync=off
        """]

    /// postgres' uid and gid on this host (the container reads the host's /etc/passwd).
    public static var postgresIDs: (uid: String, gid: String) {
        let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? ""
        for line in passwd.split(separator: "\n") where line.hasPrefix("postgres:") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 3 { return (String(fields[2]), String(fields[3])) }
        }
        return ("101", "104")
    }

    /// `uid:gid` for the container's user.
    public static var postgresUser: String { "\(postgresIDs.uid):\(postgresIDs.gid)" }

    /// The tmpfs for PostgreSQL's data, owned by its user.
    public static var postgresTmpfs: [String: String] { ["/data": "rw,mode=0700,uid=\(postgresIDs.uid),gid=\(postgresIDs.gid)"] }
}
