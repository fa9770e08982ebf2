import FaultlineSupport
import Testing

@Suite struct ByteSizeTests {
    // Docker-style sizes read as bytes.
    @Test(arguments: [("64m", Int64(64 << 20)), ("1g", Int64(1 << 30)), ("512MiB", Int64(512 << 20)),
                      ("1048576", Int64(1 << 20)), ("100k", Int64(102_400)), ("1.5g", Int64(1_610_612_736))])
    func parses(text: String, bytes: Int64) throws {
        #expect(try ByteSize.parse(text) == bytes)
    }

    // Unknown units, zero and junk are refused with the allowed units.
    @Test(arguments: ["", "0", "12x", "m", "-5m", "1t"])
    func refuses(text: String) {
        #expect(throws: ByteSize.ParseError.self) { try ByteSize.parse(text) }
    }

    // Formatting picks the largest whole unit.
    @Test func formats() {
        #expect(ByteSize.format(64 << 20) == "64MiB")
        #expect(ByteSize.format(1_610_612_736) == "1.5GiB")
        #expect(ByteSize.format(100) == "100B")
    }
}
