#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <set>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "readme.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/signature.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/pkg/write_plan.hpp"
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

// The signature before anything in the manifest is believed.
void check_signature(Package& out, const ZipEntry* sig_entry, const TrustOptions& trust) {
    std::vector<std::string> trusted;
    for (const auto& k : trust.trusted_keys)
        trusted.push_back(key_fingerprint(k));
    if (sig_entry == nullptr) {
        if (!trusted.empty()) {
            throw Error(ErrorCode::Verification,
                        "the package is not signed, and a trust key is configured: refused");
        }
        return;
    }
    const ManifestSignature sig = parse_signature(std::string_view(
        reinterpret_cast<const char*>(sig_entry->data.data()), sig_entry->data.size()));
    out.signer = sig.key_sha256;
    if (trusted.empty()) {
        out.warnings.push_back(
            fmt::format("package signed by key {}, not checked: no trust key "
                        "given (--trust-key)",
                        sig.key_sha256));
        return;
    }
    const auto it = std::find(trusted.begin(), trusted.end(), sig.key_sha256);
    if (it == trusted.end()) {
        throw Error(ErrorCode::Verification,
                    fmt::format("package signed by key {}, which is not a trusted key ({}): "
                                "refused",
                                sig.key_sha256, fmt::join(trusted, ", ")));
    }
    const ByteView manifest(reinterpret_cast<const std::uint8_t*>(out.manifest_text.data()),
                            out.manifest_text.size());
    if (!hab::verify_sha256(trust.trusted_keys[static_cast<std::size_t>(it - trusted.begin())],
                            manifest, sig.signature)) {
        throw Error(ErrorCode::Verification,
                    fmt::format("manifest.sig: the signature by trusted key {} does not match "
                                "manifest.json: the package was altered",
                                sig.key_sha256));
    }
    out.signature_trusted = true;
}

}  // namespace

Package verify_package(ByteView zip, const ZipLimits& limits, std::string_view reader_version,
                       const TrustOptions& trust) {
    std::vector<ZipEntry> entries = read_zip(zip, limits);
    Package out;
    const auto find = [&](std::string_view name) {
        return std::find_if(entries.begin(), entries.end(),
                            [&](const ZipEntry& e) { return e.name == name; });
    };
    const auto manifest_it = find(kManifestName);
    if (manifest_it == entries.end())
        throw Error(ErrorCode::BadInput, "no manifest.json in the package");
    out.manifest_text.assign(manifest_it->data.begin(), manifest_it->data.end());
    check_signature(out, find(kSignatureName) == entries.end() ? nullptr : &*find(kSignatureName),
                    trust);
    ParsedManifest parsed = parse_manifest(out.manifest_text, reader_version);
    out.manifest = std::move(parsed.manifest);
    out.warnings.insert(out.warnings.end(), parsed.warnings.begin(), parsed.warnings.end());

    std::map<std::string, Bytes> contents;
    for (auto& e : entries)
        if (e.name != kManifestName && e.name != kSignatureName)
            contents.emplace(std::move(e.name), std::move(e.data));
    std::set<std::string> listed;
    for (std::size_t i = 0; i < out.manifest.files.size(); ++i) {
        const FileEntry& f = out.manifest.files[i];
        if (const auto why = unsafe_path_reason(f.path);
            why || f.path == kManifestName || f.path == kSignatureName) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("manifest.json: files[{}].path '{}': {}", i, f.path,
                                    why.value_or("names the manifest or its signature")));
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
    complete_migration(out.manifest, out.files);
    validate_manifest(out.manifest, out.files);
    // Last: what a reviewer reads must say what the (checked) manifest means.
    check_readme(out);
    return out;
}

void complete_migration(Manifest& m, const std::map<std::string, Bytes>& files) {
    if (!m.migrated_from || !m.write_plan.empty())
        return;
    const device::Device& dev = with_context(
        "manifest.json: device", [&]() -> const auto& { return device::find_device(m.device); });
    for (ImageEntry& img : m.images) {
        const auto boot_device = device::parse_boot_device(img.boot_device);
        if (!boot_device) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("manifest.json: unknown boot device '{}'", img.boot_device));
        }
        img = place_image(dev, *boot_device, img.file, files.at(img.file), img.is_signed);
    }
    m.write_plan =
        make_write_plan(m, [&](const std::string& path) -> ByteView { return files.at(path); });
}

MigratedPackage migrate_package(ByteView zip, const ZipLimits& limits,
                                std::optional<std::int64_t> source_date_epoch,
                                std::string_view reader_version) {
    Package p = verify_package(zip, limits, reader_version);
    MigratedPackage out;
    out.from = p.manifest.migrated_from.value_or(p.manifest.schema);
    // The README is written again below: an old one's format is no news here.
    for (const auto& w : p.warnings) {
        if (w != legacy_readme_warning("0.1.0") && w != legacy_readme_warning("0.2.0"))
            out.warnings.push_back(w);
    }
    if (p.signer) {
        out.warnings.push_back(
            fmt::format("the signature by key {} does not carry over to the "
                        "new manifest: sign the migrated package again",
                        *p.signer));
    }
    Manifest& m = p.manifest;
    m.migrated_from.reset();
    m.schema = schema_for(m);
    out.to = m.schema;
    // README.txt describes the manifest: made again for the new one.
    for (FileEntry& f : m.files) {
        if (f.role != FileRole::Readme)
            continue;
        const std::string text = format_readme(m);
        Bytes readme(text.begin(), text.end());
        f.sha256 = hab::hash_hex(hab::sha256(readme));
        f.size = readme.size();
        p.files[f.path] = std::move(readme);
    }
    std::vector<ZipEntry> entries;
    const std::string manifest = format_manifest(m);
    entries.push_back({std::string(kManifestName), Bytes(manifest.begin(), manifest.end())});
    for (auto& [name, data] : p.files)
        entries.push_back({name, std::move(data)});
    out.zip = write_zip(entries, dos_time(source_date_epoch));
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
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) {
        throw Error(ErrorCode::Io, fmt::format("{}: cannot create its parent folder ({})",
                                               dir.string(), ec.message()));
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

const FileEntry& file_entry(const Manifest& manifest, std::string_view path) {
    for (const auto& f : manifest.files)
        if (f.path == path)
            return f;
    throw Error(ErrorCode::Internal, fmt::format("'{}' is not in the manifest", path));
}

}  // namespace rtprov::pkg
