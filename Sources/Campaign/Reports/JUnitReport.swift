/// JUnit XML for CI: one testcase per hypothesis check (per fault window), failures carry the figures.
enum JUnitReport {
    static func render(_ record: RunRecord) -> String {
        let checks = record.verdict?.checks ?? []
        let failures = checks.filter { !$0.passed }.count
        let aborted = record.verdict?.status == .aborted
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        lines.append(#"<testsuites name="faultline" tests="\#(checks.count + (aborted ? 1 : 0))" failures="\#(failures)" errors="\#(aborted ? 1 : 0)">"#)
        lines.append(#"  <testsuite name="\#(record.name.xmlEscaped)" tests="\#(checks.count + (aborted ? 1 : 0))" failures="\#(failures)" errors="\#(aborted ? 1 : 0)">"#)
        for check in checks {
            let name = check.window.map { "\(check.name) — \($0)" } ?? check.name
            if check.passed {
                lines.append(#"    <testcase classname="\#(record.name.xmlEscaped)" name="\#(name.xmlEscaped)"><system-out>\#(check.detail.xmlEscaped)</system-out></testcase>"#)
            } else {
                lines.append(#"    <testcase classname="\#(record.name.xmlEscaped)" name="\#(name.xmlEscaped)">"#)
                lines.append(#"      <failure message="\#(check.detail.xmlEscaped)">\#(check.detail.xmlEscaped)</failure>"#)
                lines.append("    </testcase>")
            }
        }
        if aborted, let verdict = record.verdict {
            lines.append(#"    <testcase classname="\#(record.name.xmlEscaped)" name="run completed">"#)
            lines.append(#"      <error message="\#(verdict.reason.xmlEscaped)">\#(verdict.reason.xmlEscaped)</error>"#)
            lines.append("    </testcase>")
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }
}
