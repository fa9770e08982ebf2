import Foundation
@testable import Probes
import Testing

@Suite struct JSONAndFieldCheckTests {
    static let document = JSONNode.parse(Data(#"{"type":"completed","ok":true,"n":3,"ratio":2.5,"data":{"items":[{"id":7},{"id":8}]},"empty":"","none":null}"#.utf8))!

    // Dotted paths reach nested objects and array items; scalars print plainly.
    @Test func walksPaths() {
        #expect(Self.document.at("type")?.text == "completed")
        #expect(Self.document.at("ok")?.text == "true")
        #expect(Self.document.at("n")?.text == "3")
        #expect(Self.document.at("ratio")?.text == "2.5")
        #expect(Self.document.at("data.items.1.id")?.text == "8")
        #expect(Self.document.at("data.items.5.id") == nil)
        #expect(Self.document.at("missing") == nil)
        #expect(JSONPath.value(at: "status", inJSON: Data("not json".utf8)) == nil)
    }

    // present / equals / minLength checks say what is wrong.
    @Test func checksFields() {
        #expect(FieldCheck(path: "type", equals: "completed").problem(in: Self.document) == nil)
        #expect(FieldCheck(path: "type", equals: "started").problem(in: Self.document) == "type is 'completed' (expected 'started')")
        #expect(FieldCheck(path: "missing", present: true).problem(in: Self.document) == "missing is absent")
        #expect(FieldCheck(path: "none", present: true).problem(in: Self.document) == "none is absent")
        #expect(FieldCheck(path: "type", present: false).problem(in: Self.document) == "type is present")
        #expect(FieldCheck(path: "data.items", minLength: 2).problem(in: Self.document) == nil)
        #expect(FieldCheck(path: "empty", minLength: 1).problem(in: Self.document) == "empty has length 0 (expected at least 1)")
    }
}
