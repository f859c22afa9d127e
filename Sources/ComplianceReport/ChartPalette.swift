import Diagnosis

/// The report's colours, from Okabe and Ito's palette for colour-blind readers: passes blue, failures
/// vermillion (told apart by lightness too, and in greyscale print), who acts in orange and purple.
/// Every bar also carries its value as a label, so no figure depends on telling colours apart.
enum ChartPalette {
    static let pass = "#0072b2"
    static let fail = "#d55e00"
    static let grid = "#e2e6ea"
    static let axis = "#8a949e"
    static let text = "#2b3138"
    static let muted = "#66707a"
    /// Days no report covered: a light grey band, not an empty day.
    static let noData = "#e4e7ea"

    static func responsible(_ party: ResponsibleParty, passed: Bool) -> String {
        if passed { return pass }
        switch party {
        case .none: return "#999999"
        case .tenant: return "#e69f00"
        case .provider: return "#cc79a7"
        case .operator: return "#009e73"
        }
    }
}
