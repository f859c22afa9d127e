import Diagnosis

/// The report's colours: muted, distinguishable in greyscale print, red only for failure.
enum ChartPalette {
    static let pass = "#2f7d62"
    static let fail = "#c4553b"
    static let grid = "#e2e6ea"
    static let axis = "#8a949e"
    static let text = "#2b3138"
    static let muted = "#66707a"

    static func responsible(_ party: ResponsibleParty, passed: Bool) -> String {
        if passed { return pass }
        switch party {
        case .none: return "#9aa5b1"
        case .tenant: return "#d08a1e"
        case .provider: return "#3b6ea8"
        case .operator: return "#7d5ba6"
        }
    }
}
