// Prints the panic-time readability table: every scenario x implementation (x freeze point x
// dump mode), in Markdown. Usage: panic-table [--budget-ms N]   (scripts/panic-table.sh)

import PanicScenarios

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a line to standard error (progress and failures; the table goes to standard output).
func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    printError("panic-table: \(message)")
    exit(2)
}

var budgetMilliseconds: UInt64 = 20
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--budget-ms":
        guard let value = arguments.popFirst().flatMap({ UInt64($0) }), value > 0 else {
            fail("--budget-ms needs a positive number of milliseconds")
        }
        budgetMilliseconds = value
    case "-h", "--help":
        print("usage: panic-table [--budget-ms N]   (N: how long each wait on the panic path may last; default 20)")
        exit(0)
    default:
        fail("unknown argument \(argument)")
    }
}

let budget = budgetMilliseconds * 1_000_000
var outcomes: [ScenarioOutcome] = []
for configuration in ScenarioConfiguration.matrix(budgetNanoseconds: budget) {
    printError("running \(configuration)")
    do {
        outcomes.append(try PanicScenarioRunner.run(configuration))
    } catch {
        fail("\(configuration): \(error)")
    }
}
print(PanicTable.markdown(outcomes, budgetNanoseconds: budget))
