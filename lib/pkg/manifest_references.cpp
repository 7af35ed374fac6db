// The cross-references of a parsed manifest (parse_manifest's last check).

#include "manifest_references.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::pkg::detail {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::BadInput, fmt::format("manifest.json: {}: {}", where, what));
}

}  // namespace

// Cross-references: every file named by images, flashloaders and steps is in files[], every
// fuse word a step names is in fuses[].
void check_references(const Manifest& m) {
    std::set<std::string> paths;
    for (const auto& f : m.files)
        paths.insert(f.path);
    const auto need = [&](const std::string& where, const std::string& path) {
        if (!paths.count(path))
            fail(where, fmt::format("'{}' is not in files", path));
    };
    for (std::size_t i = 0; i < m.images.size(); ++i)
        need(fmt::format("images[{}].file", i), m.images[i].file);
    for (std::size_t i = 0; i < m.flashloaders.size(); ++i)
        need(fmt::format("flashloaders[{}].file", i), m.flashloaders[i].file);
    for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
        const WriteStep& s = m.write_plan[i];
        if (!s.file.empty())
            need(fmt::format("write_plan[{}].file", i), s.file);
        if (!s.fcb_file.empty())
            need(fmt::format("write_plan[{}].fcb_file", i), s.fcb_file);
        for (const auto& w : s.words) {
            if (std::none_of(m.fuses.begin(), m.fuses.end(),
                             [&](const FuseWordPlan& f) { return f.word == w; })) {
                fail(fmt::format("write_plan[{}].words", i),
                     fmt::format("'{}' is not in fuses", w));
            }
        }
    }
    // Every secret a step or fuse word names is in the secrets file's list.
    const auto secret = [&](const std::string& where, const std::string& name) {
        if (!m.secrets)
            fail(where, fmt::format("'{}' needs the package's secrets, which it has none of", name));
        const auto& names = m.secrets->names;
        if (std::find(names.begin(), names.end(), name) == names.end())
            fail(where, fmt::format("'{}' is not in secrets.names", name));
    };
    if (m.secrets) {
        need("secrets.file", m.secrets->file);
        const auto f = std::find_if(m.files.begin(), m.files.end(),
                                    [&](const FileEntry& e) { return e.path == m.secrets->file; });
        if (f->role != FileRole::Secrets)
            fail("secrets.file", fmt::format("'{}' has role '{}', not 'secrets'", f->path,
                                             file_role_name(f->role)));
    }
    for (std::size_t i = 0; i < m.fuses.size(); ++i)
        if (!m.fuses[i].secret.empty())
            secret(fmt::format("fuses[{}].secret", i), m.fuses[i].secret);
    for (std::size_t i = 0; i < m.write_plan.size(); ++i)
        if (m.write_plan[i].op == StepOp::KeyBlob)
            secret(fmt::format("write_plan[{}].secret", i), m.write_plan[i].secret);
    // Per-board values are recorded by name, and a fuse word holds one value.
    std::set<std::string> names;
    std::set<std::string> data_words;
    for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
        const WriteStep& s = m.write_plan[i];
        if (s.op != StepOp::PerBoardData)
            continue;
        if (!names.insert(s.data.name).second)
            fail(fmt::format("write_plan[{}].name", i),
                 fmt::format("'{}' names another per-board-data step too", s.data.name));
        for (const auto& w : s.data.fuses) {
            const bool planned = std::any_of(m.fuses.begin(), m.fuses.end(),
                                             [&](const FuseWordPlan& f) { return f.word == w; });
            if (planned || !data_words.insert(w).second)
                fail(fmt::format("write_plan[{}].fuses", i),
                     fmt::format("'{}' is burned by another step too", w));
        }
    }
}

}  // namespace rtprov::pkg::detail
