#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <set>
#include <system_error>

#include <fmt/format.h>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::pkg {

namespace {

constexpr std::string_view kManifestName = "manifest.json";

// Removes a temporary folder unless released.
class TempFolder {
  public:
    explicit TempFolder(std::filesystem::path path) : path_(std::move(path)) {}
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    ~TempFolder() {
        if (!released_) {
            std::error_code ec;
            std::filesystem::remove_all(path_, ec);
        }
    }
    const std::filesystem::path& path() const { return path_; }
    void release() { released_ = true; }

  private:
    std::filesystem::path path_;
    bool released_ = false;
};

}  // namespace

Package verify_package(ByteView zip, const ZipLimits& limits, std::string_view reader_version) {
    std::vector<ZipEntry> entries = read_zip(zip, limits);
    Package out;
    const auto manifest_it = std::find_if(
        entries.begin(), entries.end(), [](const ZipEntry& e) { return e.name == kManifestName; });
    if (manifest_it == entries.end())
        throw Error(ErrorCode::BadInput, "no manifest.json in the package");
    out.manifest_text.assign(manifest_it->data.begin(), manifest_it->data.end());
    ParsedManifest parsed = parse_manifest(out.manifest_text, reader_version);
    out.manifest = std::move(parsed.manifest);
    out.warnings = std::move(parsed.warnings);

    std::map<std::string, Bytes> contents;
    for (auto& e : entries)
        if (e.name != kManifestName)
            contents.emplace(std::move(e.name), std::move(e.data));
    std::set<std::string> listed;
    for (std::size_t i = 0; i < out.manifest.files.size(); ++i) {
        const FileEntry& f = out.manifest.files[i];
        if (const auto why = unsafe_path_reason(f.path); why || f.path == kManifestName) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("manifest.json: files[{}].path '{}': {}", i, f.path,
                                    why.value_or("names the manifest itself")));
        }
        if (!listed.insert(f.path).second) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("manifest.json: files[{}].path '{}': listed twice", i, f.path));
        }
        const auto it = contents.find(f.path);
        if (it == contents.end()) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("file '{}' is in the manifest but not in the package", f.path));
        }
        if (it->second.size() != f.size) {
            throw Error(ErrorCode::Verification,
                        fmt::format("file '{}': {} bytes, the manifest says {}", f.path,
                                    it->second.size(), f.size));
        }
        const std::string digest = hab::hash_hex(hab::sha256(it->second));
        if (digest != f.sha256) {
            throw Error(ErrorCode::Verification,
                        fmt::format("file '{}': SHA-256 {} does not match the manifest's {}",
                                    f.path, digest, f.sha256));
        }
    }
    for (const auto& [name, data] : contents) {
        if (!listed.count(name)) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("file '{}' is in the package but not in the manifest", name));
        }
    }
    out.files = std::move(contents);
    return out;
}

void extract_package(const Package& package, const std::filesystem::path& dir) {
    const std::filesystem::path target = std::filesystem::absolute(dir).lexically_normal();
    if (target.filename().empty())
        throw Error(ErrorCode::Usage, fmt::format("{}: not a folder name", dir.string()));
    std::error_code ec;
    if (std::filesystem::exists(target, ec) || std::filesystem::is_symlink(target, ec)) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: already exists; give a new folder", dir.string()));
    }
    std::string tmpl = target.string() + ".tmp-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw Error(ErrorCode::Io, fmt::format("{}: cannot create a temporary folder beside it "
                                               "({})",
                                               dir.string(), std::strerror(errno)));
    }
    TempFolder tmp{std::filesystem::path(tmpl)};
    // Paths were checked by verify_package (relative, no '..'): they stay inside the folder.
    write_file_atomic(tmp.path() / kManifestName, package.manifest_text);
    for (const auto& [name, data] : package.files) {
        const std::filesystem::path path = tmp.path() / name;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) {
            throw Error(ErrorCode::Io, fmt::format("{}: cannot create ({})",
                                                   path.parent_path().string(), ec.message()));
        }
        write_file_atomic(path, data);
    }
    std::filesystem::rename(tmp.path(), target, ec);
    if (ec) {
        throw Error(ErrorCode::Io, fmt::format("{}: cannot rename the extracted folder to it ({})",
                                               dir.string(), ec.message()));
    }
    tmp.release();
}

std::vector<const FileEntry*> package_images(const Manifest& manifest) {
    std::vector<const FileEntry*> out;
    for (const auto& f : manifest.files)
        if (f.role == FileRole::Image)
            out.push_back(&f);
    return out;
}

}  // namespace rtprov::pkg
