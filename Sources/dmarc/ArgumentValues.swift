import ArgumentParser
import Diagnosis

// Values the parser checks and lists in --help itself, from the types' own cases.
extension Language: ExpressibleByArgument {}
extension DiagnosisClass: ExpressibleByArgument {}
