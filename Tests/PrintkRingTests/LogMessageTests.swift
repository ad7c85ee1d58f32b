// Formatted writes without allocation: what LogMessage's interpolations produce, and its limits.
// (The allocation count itself is checked in Benchmarks/Tests/AllocationTests, where the counter is.)

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct LogMessageTests {
    @Test func interpolationsFormatAsExpected() {
        let n = 3
        let celsius = 71.25
        let message: LogMessage = "disk \(n) at \(celsius, precision: 1) °C"
        #expect(message.text == "disk 3 at 71.3 °C")
        #expect(!message.isTruncated)
        let values: LogMessage =
            "\(Int8.min) \(UInt64.max) \(hex: 255) \(true) \(-0.5) \(0.0) \(1.0, precision: 0) \(Double.nan) \(-Double.infinity)"
        #expect(values.text == "-128 18446744073709551615 0xff true -0.50 0.00 1 nan -inf")
        let large: LogMessage = "\(1.25e21) \(-3e-7, precision: 3)"
        #expect(large.text == "1.25e+21 -3.000e-07")
        let name = "grüße"
        let text: LogMessage = "\(name)/\("static")/\(Float(2.5))"
        #expect(text.text == "grüße/static/2.50")
    }

    @Test func aLongMessageIsCutAtACharacterBoundary() {
        let long = String(repeating: "é", count: 200)  // 400 bytes
        let message: LogMessage = "\(long)"
        #expect(message.isTruncated)
        #expect(message.count == 256)
        #expect(message.text == String(repeating: "é", count: 128))
        let odd: LogMessage = "x\(long)"
        #expect(odd.count == 255)  // the 256th byte would split a character
        #expect(odd.text == "x" + String(repeating: "é", count: 127))
    }

    @Test func logWritesTheMessage() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let celsius = 71.0
        let seq = try ring.log("disk \(3) at \(celsius) °C", level: .warning, callerID: 4)
        let record = try #require(ring.record(at: seq))
        #expect(record.text == "disk 3 at 71.00 °C")
        #expect(record.info.level == .warning && record.info.callerID == 4)
    }
}
