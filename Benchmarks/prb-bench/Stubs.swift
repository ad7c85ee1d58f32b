import ArgumentParser
struct Suite: ParsableCommand { func run() throws {} }
struct Panic: ParsableCommand { func run() throws {} }
struct Plot: ParsableCommand { func run() throws {} }
