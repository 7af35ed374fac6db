#include "rtprov/pkg/diff.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rtprov::pkg {

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string hex32(std::uint32_t v) {
    return fmt::format("0x{:08x}", v);
}

std::string yes_no(bool v) {
    return v ? "true" : "false";
}

std::string schema_text(const Manifest& m) {
    const SchemaVersion v = m.migrated_from.value_or(m.schema);
    return fmt::format("{}.{}", v.major, v.minor);
}

// An item's fields side by side: changed ones for a Change, all of them for an added/removed one.
std::vector<FieldChange> compare_fields(const Fields& before, const Fields& after) {
    std::vector<FieldChange> out;
    for (const auto& [name, value] : before) {
        const auto it = std::find_if(after.begin(), after.end(),
                                     [&n = name](const auto& f) { return f.first == n; });
        const std::string other = it == after.end() ? "" : it->second;
        if (other != value)
            out.push_back({name, value, other});
    }
    for (const auto& [name, value] : after) {
        if (std::none_of(before.begin(), before.end(),
                         [&n = name](const auto& f) { return f.first == n; })) {
            out.push_back({name, "", value});
        }
    }
    return out;
}

// A listed item: its subject, its fields and where it sorts within its area.
struct Item {
    std::string subject;
    Fields fields;
    std::uint64_t order = 0;  // fuse words: the OTP index; other items: 0 (then by key)
};

// Items by name and occurrence (a name listed twice keeps both: nothing collapses unseen).
using Keyed = std::map<std::pair<std::string, std::size_t>, Item>;

void add_item(Keyed& items, const std::string& name, Item item) {
    std::size_t nth = 0;
    while (items.count({name, nth}))
        ++nth;
    items.emplace(std::pair{name, nth}, std::move(item));
}

// Compares keyed items. With a `key_field`, an item only in `a` and one only in `b` pair up in
// order as one changed item whose `key_field` changed (a renamed fuse word, another boot
// device), so every field shows old and new side by side; without, they stay removed/added.
void diff_keyed(DiffArea area, const Keyed& a, const Keyed& b, std::string_view key_field,
                std::vector<Change>& out) {
    struct Sorted {
        std::uint64_t order;
        std::pair<std::string, std::size_t> key;
        Change change;
    };
    std::vector<Sorted> changes;
    std::vector<Keyed::const_iterator> removed, added;
    for (auto ia = a.begin(); ia != a.end(); ++ia) {
        const auto ib = b.find(ia->first);
        if (ib == b.end()) {
            removed.push_back(ia);
            continue;
        }
        auto fields = compare_fields(ia->second.fields, ib->second.fields);
        if (!fields.empty()) {
            changes.push_back({ib->second.order, ib->first,
                               {area, DiffKind::Changed, ib->second.subject, std::move(fields), {}}});
        }
    }
    for (auto ib = b.begin(); ib != b.end(); ++ib)
        if (!a.count(ib->first))
            added.push_back(ib);
    const std::size_t paired = key_field.empty() ? 0 : std::min(removed.size(), added.size());
    for (std::size_t i = 0; i < paired; ++i) {
        const Item& before = removed[i]->second;
        const Item& after = added[i]->second;
        std::vector<FieldChange> fields = {
            {std::string(key_field), before.subject, after.subject}};
        for (auto& f : compare_fields(before.fields, after.fields))
            fields.push_back(std::move(f));
        changes.push_back({after.order, added[i]->first,
                           {area, DiffKind::Changed, after.subject, std::move(fields), {}}});
    }
    for (std::size_t i = paired; i < removed.size(); ++i) {
        const Item& it = removed[i]->second;
        changes.push_back({it.order, removed[i]->first,
                           {area, DiffKind::Removed, it.subject, compare_fields(it.fields, {}),
                            {}}});
    }
    for (std::size_t i = paired; i < added.size(); ++i) {
        const Item& it = added[i]->second;
        changes.push_back({it.order, added[i]->first,
                           {area, DiffKind::Added, it.subject, compare_fields({}, it.fields),
                            {}}});
    }
    std::stable_sort(changes.begin(), changes.end(), [](const Sorted& x, const Sorted& y) {
        return std::tie(x.order, x.key) < std::tie(y.order, y.key);
    });
    for (auto& c : changes)
        out.push_back(std::move(c.change));
}

// Listed in fuse map order (by OTP index); every field of a fuses[] entry.
Keyed fuse_items(const Manifest& m) {
    Keyed out;
    for (const FuseWordPlan& w : m.fuses) {
        Fields fields = {{"index", fmt::format("{}", w.index)},
                         {"value", hex32(w.value)},
                         {"lock", std::string(lock_policy_name(w.lock))}};
        if (!w.lock_field.empty())
            fields.emplace_back("lock_field", w.lock_field);
        add_item(out, w.word, {w.word, std::move(fields), w.index});
    }
    return out;
}

Keyed image_items(const Manifest& m) {
    Keyed out;
    for (const ImageEntry& img : m.images) {
        const FileEntry& f = file_entry(m, img.file);
        add_item(out, img.boot_device,
                 {img.boot_device,
                  {{"file", img.file},
                   {"signed", yes_no(img.is_signed)},
                   {"memory_id", fmt::format("{}", img.memory_id)},
                   {"address", hex32(img.address)},
                   {"size", fmt::format("{}", f.size)},
                   {"sha256", f.sha256}}});
    }
    return out;
}

Keyed flashloader_items(const Manifest& m) {
    Keyed out;
    for (const FlashloaderEntry& fl : m.flashloaders) {
        const FileEntry& f = file_entry(m, fl.file);
        add_item(out, fl.file,
                 {fl.file,
                  {{"signed", yes_no(fl.is_signed)},
                   {"load_address", hex32(fl.load_address)},
                   {"ivt_address", hex32(fl.ivt_address)},
                   {"size", fmt::format("{}", f.size)},
                   {"sha256", f.sha256}}});
    }
    return out;
}

Keyed feature_items(const Manifest& m) {
    Keyed out;
    for (const RequiredFeature& f : m.required)
        add_item(out, f.name, {f.name, {{"added_in", f.added_in}}});
    return out;
}

Keyed file_items(const Manifest& m) {
    Keyed out;
    for (const FileEntry& f : m.files) {
        add_item(out, f.path,
                 {f.path,
                  {{"role", std::string(file_role_name(f.role))},
                   {"size", fmt::format("{}", f.size)},
                   {"sha256", f.sha256}}});
    }
    return out;
}

// Every field of a step, as (name, value, whether its op uses it).
std::vector<std::tuple<std::string, std::string, bool>> all_step_fields(const WriteStep& s) {
    const StepOp op = s.op;
    const bool memory = op == StepOp::ConfigureMemory || op == StepOp::Erase ||
                        op == StepOp::Write || op == StepOp::Verify;
    const bool ranged = op == StepOp::Erase || op == StepOp::Write || op == StepOp::Verify;
    const bool fcb = op == StepOp::ConfigureMemory && !s.fcb_file.empty();
    const bool data = op == StepOp::PerBoardData;
    const BoardData& d = s.data;
    std::vector<std::string> words;
    for (const std::uint32_t w : s.option_words)
        words.push_back(hex32(w));
    return {
        {"memory_id", fmt::format("{}", s.memory_id), memory},
        {"address", hex32(s.address), ranged},
        {"length", fmt::format("{}", s.length), op == StepOp::Erase},
        {"file", s.file, op == StepOp::Write || op == StepOp::Verify},
        {"fcb_file", s.fcb_file, fcb},
        {"fcb_offset", fmt::format("{}", s.fcb_offset), fcb},
        {"option_words", fmt::format("{}", fmt::join(words, " ")),
         op == StepOp::ConfigureMemory && !fcb},
        {"words", fmt::format("{}", fmt::join(s.words, " ")), op == StepOp::ProgramFuses},
        {"field", s.field, op == StepOp::LockFuses},
        {"data.name", d.name, data},
        {"data.source", std::string(board_data_source_name(d.source)), data},
        {"data.start", fmt::format("{}", d.start), data && d.source == BoardDataSource::Counter},
        {"data.column", d.column, data && d.source == BoardDataSource::Csv},
        {"data.format", std::string(board_data_format_name(d.format)), data},
        {"data.size", fmt::format("{}", d.size), data},
        {"data.memory_id", fmt::format("{}", d.memory_id), data && d.fuses.empty()},
        {"data.address", hex32(d.address), data && d.fuses.empty()},
        {"data.fuses", fmt::format("{}", fmt::join(d.fuses, " ")), data && !d.fuses.empty()},
    };
}

// The fields a step of this op uses, and any other field that is not at its default (the
// writer ignores it, a reviewer still sees it): nothing in a manifest goes unshown.
Fields step_fields(const WriteStep& s) {
    WriteStep blank;
    blank.op = s.op;
    const auto defaults = all_step_fields(blank);
    const auto values = all_step_fields(s);
    Fields out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto& [name, value, used] = values[i];
        if (used || value != std::get<1>(defaults[i]))
            out.emplace_back(name, value);
    }
    return out;
}

std::string step_subject(std::size_t index, const WriteStep& s) {
    return fmt::format("step {}: {}", index + 1, step_op_name(s.op));
}

// Longest common subsequence of `a` and `b` under `same`, as matched index pairs in order.
// Quadratic: write plans are a dozen steps, and text_line_diff trims equal ends first.
template <typename T, typename Same>
std::vector<std::pair<std::size_t, std::size_t>> lcs(const std::vector<T>& a,
                                                     const std::vector<T>& b, Same same) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::uint32_t> len((n + 1) * (m + 1), 0);
    const auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
        return len[i * (m + 1) + j];
    };
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            at(i, j) =
                same(a[i], b[j]) ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t i = 0, j = 0; i < n && j < m;) {
        if (same(a[i], b[j])) {
            out.emplace_back(i++, j++);
        } else if (at(i + 1, j) >= at(i, j + 1)) {
            ++i;
        } else {
            ++j;
        }
    }
    return out;
}

// Steps are matched as whole steps; between two matches, removed and added steps of the same op
// pair up as a changed step (an address that moved), the rest stay removed or added.
void diff_write_plans(const std::vector<WriteStep>& a, const std::vector<WriteStep>& b,
                      std::vector<Change>& out) {
    auto anchors = lcs(a, b, [](const WriteStep& x, const WriteStep& y) { return x == y; });
    anchors.emplace_back(a.size(), b.size());
    std::size_t i = 0, j = 0;
    for (const auto& [ai, bj] : anchors) {
        std::vector<bool> used_b(bj - j, false);
        for (; i < ai; ++i) {
            std::size_t k = 0;
            while (k < used_b.size() && (used_b[k] || b[j + k].op != a[i].op))
                ++k;
            if (k < used_b.size()) {
                used_b[k] = true;
                out.push_back({DiffArea::WritePlan,
                               DiffKind::Changed,
                               step_subject(j + k, b[j + k]),
                               compare_fields(step_fields(a[i]), step_fields(b[j + k])),
                               {}});
            } else {
                out.push_back({DiffArea::WritePlan,
                               DiffKind::Removed,
                               step_subject(i, a[i]),
                               compare_fields(step_fields(a[i]), {}),
                               {}});
            }
        }
        for (std::size_t k = 0; k < used_b.size(); ++k) {
            if (!used_b[k]) {
                out.push_back({DiffArea::WritePlan,
                               DiffKind::Added,
                               step_subject(j + k, b[j + k]),
                               compare_fields({}, step_fields(b[j + k])),
                               {}});
            }
        }
        i = ai + 1;
        j = bj + 1;
    }
}

bool is_text(ByteView data) {
    return std::find(data.begin(), data.end(), std::uint8_t{0}) == data.end();
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
}

}  // namespace

std::string_view diff_area_name(DiffArea area) {
    static constexpr std::array<std::string_view, 7> kNames = {
        "fuses", "images", "flashloaders", "write-plan", "features", "files", "manifest"};
    return kNames.at(static_cast<std::size_t>(area));
}

std::string_view diff_kind_name(DiffKind kind) {
    static constexpr std::array<std::string_view, 3> kNames = {"added", "removed", "changed"};
    return kNames.at(static_cast<std::size_t>(kind));
}

bool PackageDiff::srk_changed() const {
    return std::any_of(changes.begin(), changes.end(), [](const Change& c) {
        return c.area == DiffArea::Fuses && c.kind == DiffKind::Changed &&
               c.subject.starts_with("SRK") &&
               std::any_of(c.fields.begin(), c.fields.end(),
                           [](const FieldChange& f) { return f.field == "value"; });
    });
}

PackageDiff diff_packages(const Package& a, const Package& b) {
    const Manifest& ma = a.manifest;
    const Manifest& mb = b.manifest;
    PackageDiff d;
    std::vector<Change>& out = d.changes;
    diff_keyed(DiffArea::Fuses, fuse_items(ma), fuse_items(mb), "word", out);
    diff_keyed(DiffArea::Images, image_items(ma), image_items(mb), "boot_device", out);
    diff_keyed(DiffArea::Flashloaders, flashloader_items(ma), flashloader_items(mb), "file", out);
    std::vector<Change> steps;
    diff_write_plans(ma.write_plan, mb.write_plan, steps);
    out.insert(out.end(), steps.begin(), steps.end());
    diff_keyed(DiffArea::Features, feature_items(ma), feature_items(mb), "", out);
    const std::size_t first_file = out.size();
    diff_keyed(DiffArea::Files, file_items(ma), file_items(mb), "", out);
    for (std::size_t i = first_file; i < out.size(); ++i) {
        Change& c = out[i];
        if (c.kind != DiffKind::Changed || file_entry(mb, c.subject).role != FileRole::Project ||
            file_entry(ma, c.subject).role != FileRole::Project) {
            continue;
        }
        const Bytes& before = a.files.at(c.subject);
        const Bytes& after = b.files.at(c.subject);
        if (is_text(before) && is_text(after)) {
            c.text_diff = text_line_diff(
                std::string_view(reinterpret_cast<const char*>(before.data()), before.size()),
                std::string_view(reinterpret_cast<const char*>(after.data()), after.size()));
        }
    }
    const auto quota = [](const Manifest& m) {
        return m.production.quota ? fmt::format("{}", *m.production.quota) : "none";
    };
    const std::array<std::array<std::string, 3>, 5> header = {{
        {"schema_version", schema_text(ma), schema_text(mb)},
        {"device", ma.device, mb.device},
        {"writer", ma.writer, mb.writer},
        {"signer", a.signer.value_or("none"), b.signer.value_or("none")},
        {"production.quota", quota(ma), quota(mb)},
    }};
    for (const auto& [field, before, after] : header) {
        if (before != after)
            out.push_back(
                {DiffArea::Manifest, DiffKind::Changed, field, {{field, before, after}}, {}});
    }
    return d;
}

std::vector<std::string> text_line_diff(std::string_view before, std::string_view after,
                                        std::size_t context, std::size_t max_lines) {
    const std::vector<std::string_view> a = split_lines(before);
    const std::vector<std::string_view> b = split_lines(after);
    // Equal ends are trimmed before the quadratic match; a middle still too large to match is
    // shown as all removed then all added.
    std::size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    std::size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
        ++suffix;
    }
    const std::vector<std::string_view> mid_a(a.begin() + prefix, a.end() - suffix);
    const std::vector<std::string_view> mid_b(b.begin() + prefix, b.end() - suffix);
    constexpr std::size_t kMaxCells = 1u << 20;
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    for (std::size_t i = 0; i < prefix; ++i)
        matches.emplace_back(i, i);
    if ((mid_a.size() + 1) * (mid_b.size() + 1) <= kMaxCells) {
        for (const auto& [i, j] : lcs(mid_a, mid_b, std::equal_to<>()))
            matches.emplace_back(prefix + i, prefix + j);
    }
    for (std::size_t k = suffix; k-- > 0;)
        matches.emplace_back(a.size() - 1 - k, b.size() - 1 - k);
    matches.emplace_back(a.size(), b.size());

    // The edit script: ' ', '-', '+' with the line's index in a (for ' ' and '-') or b ('+').
    struct Edit {
        char op;
        std::size_t ai, bj;
    };
    std::vector<Edit> edits;
    std::size_t i = 0, j = 0;
    for (const auto& [mi, mj] : matches) {
        for (; i < mi; ++i)
            edits.push_back({'-', i, j});
        for (; j < mj; ++j)
            edits.push_back({'+', i, j});
        if (mi < a.size())
            edits.push_back({' ', i++, j++});
    }

    std::vector<std::string> out;
    for (std::size_t k = 0; k < edits.size();) {
        if (edits[k].op == ' ') {
            ++k;
            continue;
        }
        // A hunk: `context` lines around its changes; changes at most 2 * context equal lines
        // apart share one.
        const std::size_t start = k >= context ? k - context : 0;
        std::size_t last = k;
        for (std::size_t e = k + 1; e < edits.size(); ++e) {
            if (edits[e].op == ' ')
                continue;
            if (e - last - 1 > 2 * context)
                break;
            last = e;
        }
        const std::size_t end = std::min(edits.size(), last + 1 + context);
        std::size_t a_len = 0, b_len = 0;
        for (std::size_t e = start; e < end; ++e) {
            a_len += edits[e].op != '+';
            b_len += edits[e].op != '-';
        }
        // Unified diff numbers an empty side by the line before it.
        const std::size_t a_start = edits[start].ai + (a_len > 0 ? 1 : 0);
        const std::size_t b_start = edits[start].bj + (b_len > 0 ? 1 : 0);
        out.push_back(fmt::format("@@ -{},{} +{},{} @@", a_start, a_len, b_start, b_len));
        for (std::size_t e = start; e < end; ++e) {
            const std::string_view line = edits[e].op == '+' ? b[edits[e].bj] : a[edits[e].ai];
            out.push_back(fmt::format("{}{}", edits[e].op, line));
        }
        k = end;
    }
    if (out.size() > max_lines && max_lines > 0) {
        const std::size_t cut = out.size() - (max_lines - 1);
        out.resize(max_lines - 1);
        out.push_back(fmt::format("... {} more lines", cut));
    }
    return out;
}

}  // namespace rtprov::pkg
