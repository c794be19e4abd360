/// A named thing the curator can do. Keys bind to actions in the `Keymap`, which also
/// produces the footer hints and the `?` help; the raw value is the name used in the
/// `[keys]` table of the config file.
public enum Action: String, CaseIterable, Hashable, Sendable {
    // Navigation
    case nextItem = "next_item", previousItem = "previous_item", nextPending = "next_pending"
    case pageDown = "page_down", pageUp = "page_up", firstItem = "first_item", lastItem = "last_item"
    case jump, search, nextFilter = "next_filter", previousFilter = "previous_filter"
    case nextDrug = "next_drug", previousDrug = "previous_drug"
    case nextSpan = "next_span", previousSpan = "previous_span"
    case caretLeft = "caret_left", caretRight = "caret_right"
    // Decisions
    case acceptItem = "accept_item", acceptSpan = "accept_span", rejectSpan = "reject_span"
    case noADE = "no_ade", skip, flag, undo, redo
    case takeFirst = "take_first", takeSecond = "take_second", takeUnion = "take_union"
    // Span editing
    case newSpan = "new_span"
    case startLeftWord = "start_left_word", startRightWord = "start_right_word"
    case endLeftWord = "end_left_word", endRightWord = "end_right_word"
    case startLeftChar = "start_left_char", startRightChar = "start_right_char"
    case endLeftChar = "end_left_char", endRightChar = "end_right_char"
    case relinkSpan = "relink_span", copyToDrug = "copy_to_drug", addDrug = "add_drug"
    // Visual mode
    case extendSelection = "extend_selection", shrinkSelection = "shrink_selection"
    case confirmSelection = "confirm_selection", cancelSelection = "cancel_selection"
    // Views and jobs
    case nextLayer = "next_layer", diffView = "diff_view", rawView = "raw_view"
    case jobDetail = "job_detail", cancelJob = "cancel_job", command, help, quit

    /// Where the action is bound: the normal screen or visual (selection) mode.
    public enum Context: String, Sendable { case normal, visual }

    public var context: Context {
        switch self {
        case .extendSelection, .shrinkSelection, .confirmSelection, .cancelSelection: .visual
        default: .normal
        }
    }

    /// The help group the action is listed under.
    public var group: String {
        switch self {
        case .nextItem, .previousItem, .nextPending, .pageDown, .pageUp, .firstItem, .lastItem, .jump, .search, .nextFilter, .previousFilter,
             .nextDrug, .previousDrug, .nextSpan, .previousSpan, .caretLeft, .caretRight: "Move"
        case .acceptItem, .acceptSpan, .rejectSpan, .noADE, .skip, .flag, .undo, .redo: "Decide"
        case .takeFirst, .takeSecond, .takeUnion: "Adjudicate"
        case .newSpan, .startLeftWord, .startRightWord, .endLeftWord, .endRightWord, .startLeftChar,
             .startRightChar, .endLeftChar, .endRightChar, .relinkSpan, .copyToDrug, .addDrug: "Edit spans"
        case .extendSelection, .shrinkSelection, .confirmSelection, .cancelSelection: "Visual mode"
        case .nextLayer, .diffView, .rawView, .jobDetail, .cancelJob, .command, .help, .quit: "View and jobs"
        }
    }

    /// A short label for the footer.
    public var hint: String {
        switch self {
        case .nextItem: "next"
        case .previousItem: "prev"
        case .nextPending: "next pending"
        case .pageDown: "page down"
        case .pageUp: "page up"
        case .firstItem: "first"
        case .lastItem: "last"
        case .jump: "jump"
        case .search: "search"
        case .nextFilter: "filter"
        case .previousFilter: "filter back"
        case .nextDrug: "drug"
        case .previousDrug: "drug back"
        case .nextSpan: "span"
        case .previousSpan: "span back"
        case .caretLeft: "caret ←"
        case .caretRight: "caret →"
        case .acceptItem: "accept"
        case .acceptSpan: "ok span"
        case .rejectSpan: "drop span"
        case .noADE: "no ADE"
        case .skip: "skip"
        case .flag: "flag"
        case .undo: "undo"
        case .redo: "redo"
        case .takeFirst: "take A"
        case .takeSecond: "take B"
        case .takeUnion: "union"
        case .newSpan: "new span"
        case .startLeftWord: "start ←w"
        case .startRightWord: "start →w"
        case .endLeftWord: "end ←w"
        case .endRightWord: "end →w"
        case .startLeftChar: "start ←c"
        case .startRightChar: "start →c"
        case .endLeftChar: "end ←c"
        case .endRightChar: "end →c"
        case .relinkSpan: "relink"
        case .copyToDrug: "copy to drug"
        case .addDrug: "add drug"
        case .extendSelection: "extend"
        case .shrinkSelection: "shrink"
        case .confirmSelection: "confirm"
        case .cancelSelection: "cancel"
        case .nextLayer: "layer"
        case .diffView: "diff"
        case .rawView: "raw"
        case .jobDetail: "job details"
        case .cancelJob: "cancel job"
        case .command: "command"
        case .help: "help"
        case .quit: "quit"
        }
    }

    /// The full description for the `?` reference.
    public var help: String {
        switch self {
        case .nextItem: "Next item in the queue"
        case .previousItem: "Previous item in the queue"
        case .nextPending: "Next pending item"
        case .pageDown: "A page down the queue (scrolls ? and job details)"
        case .pageUp: "A page up the queue (scrolls ? and job details)"
        case .firstItem: "First item of the queue (top of ? and job details)"
        case .lastItem: "Last item of the queue (end of ? and job details)"
        case .jump: "Jump to an item: a queue position, or SENTENCE/MENTION"
        case .search: "Search the sentence texts (empty query: search again)"
        case .nextFilter: "Next queue filter (all, pending, accepted, no-ADE, flagged, disagreements, ungrounded)"
        case .previousFilter: "Previous queue filter"
        case .nextDrug: "Next drug of this sentence"
        case .previousDrug: "Previous drug of this sentence"
        case .nextSpan: "Select the next ADE span"
        case .previousSpan: "Select the previous ADE span"
        case .caretLeft: "Move the caret one word left"
        case .caretRight: "Move the caret one word right"
        case .acceptItem: "Accept your working spans (in any view; no spans: no ADE) and go to the next"
        case .acceptSpan: "Mark the selected span as checked"
        case .rejectSpan: "Remove the selected span"
        case .noADE: "This drug causes no ADE in this sentence"
        case .skip: "Skip the item for now"
        case .flag: "Flag the item with a note"
        case .undo: "Undo the last span change while editing, else your last decision (across items and restarts)"
        case .redo: "Redo the last undone decision"
        case .takeFirst: "Adjudicator, on a disputed item: rule for the first curator's answer (A) and go to the next"
        case .takeSecond: "Adjudicator, on a disputed item: rule for the second curator's answer (B) and go to the next"
        case .takeUnion: "Adjudicator, on a disputed item: rule for the union of the curators' spans (edit the draft and Enter for your own)"
        case .newSpan: "Select words from the caret (visual mode) to make a new span"
        case .startLeftWord: "Move the span's start one word left"
        case .startRightWord: "Move the span's start one word right"
        case .endLeftWord: "Move the span's end one word left"
        case .endRightWord: "Move the span's end one word right"
        case .startLeftChar: "Move the span's start one character left"
        case .startRightChar: "Move the span's start one character right"
        case .endLeftChar: "Move the span's end one character left"
        case .endRightChar: "Move the span's end one character right"
        case .relinkSpan: "Move the selected span to the next drug of the sentence"
        case .copyToDrug: "Copy this item's spans to the next drug of the sentence"
        case .addDrug: "Select words (visual mode) to add a drug mention the lexicon missed"
        case .extendSelection: "Extend the selection by a word"
        case .shrinkSelection: "Shrink the selection by a word"
        case .confirmSelection: "Confirm the selection"
        case .cancelSelection: "Cancel the selection"
        case .nextLayer: "Show the next layer: working, teacher, curated, student, gold"
        case .diffView: "Toggle the teacher/student diff view"
        case .rawView: "Show the raw prompt and response behind the teacher's proposal"
        case .jobDetail: "The newest job's details: its command line, whole error and log (:job ID for another)"
        case .cancelJob: "Cancel the newest running job (asks first)"
        case .command: "Command line: :teach :train :predict :eval :cv [--options] :job ID :cancel ID :theme NAME :filter NAME :sort disagreement|corpus :layer NAME :q"
        case .help: "This key reference"
        case .quit: "Quit (everything shown as saved is saved; asks when jobs run or span edits are unsaved)"
        }
    }

    /// The keys bound by default (vi-style first, arrow alternatives after).
    public var defaultKeys: [String] {
        switch self {
        case .nextItem: ["j", "<Down>"]
        case .previousItem: ["k", "<Up>"]
        case .nextPending: ["n"]
        case .pageDown: ["<PageDown>"]
        case .pageUp: ["<PageUp>"]
        case .firstItem: ["<Home>"]
        case .lastItem: ["<End>"]
        case .jump: ["g"]
        case .search: ["/"]
        case .nextFilter: ["f"]
        case .previousFilter: ["F"]
        case .nextDrug: ["<Tab>"]
        case .previousDrug: ["<S-Tab>"]
        case .nextSpan: ["]"]
        case .previousSpan: ["["]
        case .caretLeft: ["h", "<Left>"]
        case .caretRight: ["l", "<Right>"]
        case .acceptItem: ["<Enter>"]
        case .acceptSpan: ["a"]
        case .rejectSpan: ["x", "<Del>"]
        case .noADE: ["0"]
        case .skip: ["s"]
        case .flag: ["!"]
        case .undo: ["u"]
        case .redo: ["<C-r>", "U"]
        case .takeFirst: ["1"]
        case .takeSecond: ["2"]
        case .takeUnion: ["3"]
        case .newSpan: ["v"]
        case .startLeftWord: ["b"]
        case .startRightWord: ["B"]
        case .endLeftWord: ["E", "<S-Left>"]
        case .endRightWord: ["e", "<S-Right>"]
        case .startLeftChar: ["("]
        case .startRightChar: [")"]
        case .endLeftChar: ["<"]
        case .endRightChar: [">"]
        case .relinkSpan: ["r"]
        case .copyToDrug: ["c"]
        case .addDrug: ["D"]
        case .extendSelection: ["l", "<Right>", "w"]
        case .shrinkSelection: ["h", "<Left>", "b"]
        case .confirmSelection: ["<Enter>"]
        case .cancelSelection: ["<Esc>", "q"]
        case .nextLayer: ["t"]
        case .diffView: ["d"]
        case .rawView: ["R"]
        case .jobDetail: ["J"]
        case .cancelJob: ["X"]
        case .command: [":"]
        case .help: ["?"]
        case .quit: ["q", "<C-c>"]
        }
    }
}
