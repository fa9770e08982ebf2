import Foundation

/// How run directories and ids are named: `20261122-013512-redis-pause-1a2b`.
public enum RunDirectoryName {
    /// `20261122-013512` (UTC).
    public static func timestamp(_ date: Date) -> String {
        var time = tm()
        var now = time_t(date.timeIntervalSince1970)
        gmtime_r(&now, &time)
        return String(format: "%04d%02d%02d-%02d%02d%02d", Int(time.tm_year) + 1900, Int(time.tm_mon) + 1, Int(time.tm_mday),
                      Int(time.tm_hour), Int(time.tm_min), Int(time.tm_sec))
    }

    /// The campaign name in lower case with anything but letters and digits as `-`, at most 40 characters.
    public static func slug(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
    }

    /// A fresh directory name for a run of `campaign`.
    public static func make(_ campaign: String, at date: Date = Date()) -> String {
        "\(timestamp(date))-\(slug(campaign))-\(String(UUID().uuidString.prefix(4)).lowercased())"
    }
}
