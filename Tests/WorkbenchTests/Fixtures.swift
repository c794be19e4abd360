import Core
import Corpus
import Foundation
import TerminalUI
@testable import Workbench

/// A fixed clock for tests.
let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// The fixture sentence: two drugs, teacher, student and gold spans that differ.
let fixtureText = "Aspirin caused a severe skin rash and warfarin caused bleeding."

/// The span of the first occurrence of `needle` in the fixture text.
func span(_ needle: String, in text: String = fixtureText) -> Span {
    let start = ScalarText(text).occurrences(of: needle).first ?? -1
    return Span(start, start + needle.unicodeScalars.count)
}

func item(_ s: Int64, _ m: Int64) -> ItemKey { ItemKey(sentenceID: s, drugMentionID: m) }

func fixtureDetail() -> SentenceDetail {
    let pending = ReviewStatus(.pending, spans: [], note: nil)
    return SentenceDetail(
        id: 1, documentKey: "doc:1", text: fixtureText,
        drugs: [
            .init(mentionID: 10, span: span("Aspirin"), text: "Aspirin", normalized: "aspirin", origin: "import", review: pending),
            .init(mentionID: 11, span: span("warfarin"), text: "warfarin", normalized: "warfarin", origin: "import", review: pending),
        ],
        spans: [.teacher: [10: [span("skin rash")], 11: [span("bleeding")]],
                .student: [10: [span("severe skin rash")]],
                .gold: [10: [span("severe skin rash")], 11: [span("bleeding")]],
                .curated: [:]],
        answered: [.teacher: [10, 11], .student: [10], .gold: [10, 11], .curated: []],
        teacherRun: 1)
}

/// A model on the fixture: three items, the first sentence loaded, at 100×30.
func fixtureModel(width: Int = 100, height: Int = 30, keymap: Keymap = .standard) -> WorkbenchModel {
    var model = WorkbenchModel(
        queue: [QueueEntry(item: item(1, 10), state: .pending, drug: "Aspirin"),
                QueueEntry(item: item(1, 11), state: .pending, drug: "warfarin"),
                QueueEntry(item: item(2, 12), state: .accepted, drug: "heparin")],
        keymap: keymap, author: "tester", themeName: "dark", now: t0)
    model.corpusName = "fixture.sqlite"
    _ = model.update(.resize(width: width, height: height))
    _ = model.select(0)
    _ = model.update(.sentenceLoaded(fixtureDetail(), ungrounded: [], exchange: nil))
    return model
}

extension WorkbenchModel {
    /// Sends keys by name (`"j"`, `"<Enter>"`), returning every effect.
    mutating func press(_ names: String...) -> [Effect] {
        var effects: [Effect] = []
        for name in names {
            guard let key = Key(name: name) else { fatalError("bad key name \(name) in a test") }
            effects += update(.key(key))
        }
        return effects
    }

    /// Types text into a prompt, then Enter.
    mutating func type(_ text: String) -> [Effect] {
        var effects: [Effect] = []
        for s in text.unicodeScalars { effects += update(.key(.char(s))) }
        return effects + update(.key(.enter))
    }

    var focused: Span? {
        guard let f = focusedSpan else { return nil }
        return currentDraft?.spans[f]
    }
}
