// PrintkRing.records(): an AsyncSequence that waits for new records and ends when cancelled.

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct RecordsSequenceTests {
    @Test func returnsWhatIsThereThenWaitsForNewRecords() async throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        try ring.write("already there")
        let reading = Task {
            var texts: [String] = []
            for await record in ring.records() {
                texts.append(record.text)
                if texts.count == 3 { break }
            }
            return texts
        }
        // Written while the reader waits (or before it starts: the sequence begins at the oldest
        // record either way, so no ordering is assumed).
        try ring.write("second")
        try ring.write("third")
        #expect(await reading.value == ["already there", "second", "third"])
    }

    @Test func cancellingEndsTheSequence() async throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        try ring.write("one")
        let reading = Task {
            var count = 0
            for await _ in ring.records(pollInterval: .seconds(30)) { count += 1 }
            return count
        }
        reading.cancel()
        // A pending 30 s sleep is cut short: the test's one-minute limit would catch a sequence
        // that did not end.
        let count = await reading.value
        #expect(count <= 1)
    }
}
