import FaultlineSupport
import Testing

/// Directories of paths, including names Foundation's path methods trap on.
@Suite struct PathTextTests {
    // The directory of absolute, relative, root-level and slash-ended paths.
    @Test func findsTheDirectory() {
        #expect(PathText.directory(of: "/a/b.yaml") == "/a")
        #expect(PathText.directory(of: "/b.yaml") == "/")
        #expect(PathText.directory(of: "/") == "/")
        #expect(PathText.directory(of: "b.yaml") == ".")
        #expect(PathText.directory(of: "a/b/") == "a")
        #expect(PathText.directory(of: "/a//") == "/")
    }

    // A name outside the Basic Multilingual Plane (what crashed the daemon through NSString).
    @Test func takesNamesOutsideTheBasicPlane() {
        #expect(PathText.directory(of: "/\u{FB23B}") == "/")
        #expect(PathText.directory(of: "/tmp/\u{FB23B}/\u{1F600}.yaml") == "/tmp/\u{FB23B}")
    }
}
