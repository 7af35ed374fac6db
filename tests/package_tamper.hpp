#pragma once
// For tests (lib/pkg's and the black-box suite): a real package changed as an attacker with a
// text editor would change it, then rehashed so that every integrity check still passes: the
// manifest and the files are edited, each files[] entry gets its file's new size and SHA-256,
// and the zip is written again, unsigned (manifest.sig is dropped), manifest.json first.

#include <functional>
#include <map>
#include <string>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/bytes.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::test {

using PackageEdit = std::function<void(pkg::Manifest&, std::map<std::string, Bytes>&)>;

// `zip` (a package of the current schema) with `edit` applied to its manifest and files. A file
// the edit adds must also be added to manifest.files (its hash and size are filled in here).
inline Bytes tamper_package(ByteView zip, const PackageEdit& edit) {
    std::map<std::string, Bytes> files;
    std::string manifest_text;
    for (auto& e : pkg::read_zip(zip, {})) {
        if (e.name == "manifest.json")
            manifest_text.assign(e.data.begin(), e.data.end());
        else if (e.name != "manifest.sig")
            files.emplace(e.name, std::move(e.data));
    }
    pkg::Manifest m = pkg::parse_manifest(manifest_text, "test").manifest;
    if (m.migrated_from)
        throw Error(ErrorCode::Internal, "tamper_package: a package of the current schema only");
    edit(m, files);
    for (pkg::FileEntry& f : m.files) {
        const auto it = files.find(f.path);
        if (it == files.end())
            continue;  // removed by the edit: the package says so
        f.size = it->second.size();
        f.sha256 = hab::hash_hex(hab::sha256(it->second));
    }
    const std::string text = pkg::format_manifest(m);
    std::vector<pkg::ZipEntry> entries{{"manifest.json", Bytes(text.begin(), text.end())}};
    for (auto& [name, data] : files)
        entries.push_back({name, std::move(data)});
    return pkg::write_zip(entries, {});
}

// The index of the first step of `op` in the write plan (Error(Internal) when there is none).
inline std::size_t step_index(const pkg::Manifest& m, pkg::StepOp op) {
    for (std::size_t i = 0; i < m.write_plan.size(); ++i)
        if (m.write_plan[i].op == op)
            return i;
    throw Error(ErrorCode::Internal, "tamper_package: the plan has no such step");
}

}  // namespace rtprov::test
