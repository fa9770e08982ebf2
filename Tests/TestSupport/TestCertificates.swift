import Fixtures

extension ThrowawayCertificates {
    /// A CA named `name` in a throw-away state directory (removed when the test process exits).
    public static func authority(_ name: String) throws -> ThrowawayCertificates {
        try authority(name, in: temporaryStateDirectory())
    }
}
