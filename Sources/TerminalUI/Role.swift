/// What a cell means on screen. Widgets draw roles; a `Theme` turns them into colours
/// only when a backend flushes, so tests compare roles, not escape codes.
public enum Role: String, CaseIterable, Hashable, Sendable {
    case text
    case dim
    case header
    /// Drug mentions, one colour each, in sentence order (cycled when there are more).
    case drug0, drug1, drug2, drug3, drug4, drug5
    /// The drug mention of the item under review.
    case drugSelected = "drug_selected"
    /// ADE spans of the selected drug.
    case adeSelected = "ade_selected"
    /// The ADE span the span-editing keys act on.
    case adeFocused = "ade_focused"
    /// ADE spans of the other drugs of the sentence.
    case adeOther = "ade_other"
    /// Diff view: proposed only by the teacher, only by the student, or by both.
    case teacherOnly = "teacher_only"
    case studentOnly = "student_only"
    case agreed
    /// The teacher's strings that could not be placed in the sentence.
    case ungrounded
    case cursor
    case selection
    case panel
    case panelTitle = "panel_title"
    case queueCurrent = "queue_current"
    case statusLine = "status_line"
    case statusKey = "status_key"
    case message
    case error
    case success
    case progress
    case progressTrack = "progress_track"

    /// The drug colour for the k-th drug of a sentence.
    public static func drug(_ k: Int) -> Role {
        let drugs: [Role] = [.drug0, .drug1, .drug2, .drug3, .drug4, .drug5]
        return drugs[((k % drugs.count) + drugs.count) % drugs.count]
    }

    /// One character per role, for the role grids of snapshot tests.
    public var code: Character {
        switch self {
        case .text: "."
        case .dim: ","
        case .header: "H"
        case .drug0: "0"
        case .drug1: "1"
        case .drug2: "2"
        case .drug3: "3"
        case .drug4: "4"
        case .drug5: "5"
        case .drugSelected: "D"
        case .adeSelected: "A"
        case .adeFocused: "F"
        case .adeOther: "o"
        case .teacherOnly: "T"
        case .studentOnly: "S"
        case .agreed: "="
        case .ungrounded: "U"
        case .cursor: "C"
        case .selection: "V"
        case .panel: "p"
        case .panelTitle: "P"
        case .queueCurrent: "Q"
        case .statusLine: "s"
        case .statusKey: "k"
        case .message: "m"
        case .error: "E"
        case .success: "+"
        case .progress: "#"
        case .progressTrack: "-"
        }
    }
}
