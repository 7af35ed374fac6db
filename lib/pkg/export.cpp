#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "export_bee.hpp"
#include "export_otfad.hpp"
#include "export_secrets.hpp"
#include "flash_plan.hpp"
#include "readme.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/key_scan.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/p11/token.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/pkg/signature.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::pkg {

namespace {

struct Input {
    std::filesystem::path source;  // absolute, as the project names it
    FileRole role;
    std::string name;  // inside the package
    Bytes data;
};

// The inputs a build reads, public ones only: private keys, the key password and the DEK stay
// out of the package, and so does the plaintext application of a HAB-encrypted image unless
// `include_app`.
std::vector<Input> public_inputs(const project::BuildSpec& spec, const std::filesystem::path& file,
                                 bool include_app) {
    std::vector<Input> in{{file, FileRole::Project, {}, {}}};
    if (include_app)
        in.push_back({spec.app, FileRole::App, {}, {}});
    if (spec.fcb && spec.fcb->file)
        in.push_back({*spec.fcb->file, FileRole::Fcb, {}, {}});
    if (spec.dcd)
        in.push_back({*spec.dcd, FileRole::Dcd, {}, {}});
    if (spec.flashloader)
        in.push_back({spec.flashloader->file, FileRole::Flashloader, {}, {}});
    if (spec.hab) {
        if (spec.hab->srk_table)
            in.push_back({*spec.hab->srk_table, FileRole::SrkTable, {}, {}});
        for (const auto& c : spec.hab->srk_certs)
            in.push_back({c, FileRole::Certificate, {}, {}});
        // A certificate on a token stays there (the signed image carries it in its CSF).
        if (!p11::is_uri(spec.hab->csf_cert.native()))
            in.push_back({spec.hab->csf_cert, FileRole::Certificate, {}, {}});
        if (!spec.hab->nocak && !p11::is_uri(spec.hab->img_cert.native()))
            in.push_back({spec.hab->img_cert, FileRole::Certificate, {}, {}});
    }
    return in;
}

// project/<path relative to the project folder>, or project/external/[N/]<file name> for a file
// outside it; the same file named twice is packaged once.
void name_inputs(std::vector<Input>& inputs, const std::filesystem::path& project_dir) {
    std::set<std::string> used;
    std::vector<Input> unique;
    for (auto& in : inputs) {
        in.source = in.source.lexically_normal();
        if (std::any_of(unique.begin(), unique.end(),
                        [&](const Input& u) { return u.source == in.source; })) {
            continue;
        }
        const std::string file = in.source.filename().string();
        if (const auto why = unsafe_path_reason(file)) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: this file name cannot go into a package ({})",
                                    in.source.string(), *why));
        }
        const std::string rel = in.source.lexically_relative(project_dir).generic_string();
        std::string name = rel.empty() ? std::string() : "project/" + rel;
        // Ends: with a safe file name, project/external/N/<file> is safe and N outgrows `used`.
        for (std::size_t n = 1; name.empty() || unsafe_path_reason(name) || used.count(name); ++n)
            name = n == 1 ? "project/external/" + file
                          : fmt::format("project/external/{}/{}", n, file);
        used.insert(name);
        in.name = name;
        unique.push_back(std::move(in));
    }
    inputs = std::move(unique);
}

// Packages never carry private keys, whatever the project calls the file that holds one (a
// "certificate" that is a certificate and its key in one PEM, an app with a key compiled in).
void refuse_private_key(ByteView data, const std::string& name, std::string_view hint) {
    if (const auto found = hab::find_private_key_material(data)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: {} at byte {}: private keys never go into a package; {}", name,
                                found->what, found->offset, hint));
    }
}

FileEntry entry_for(const std::string& path, ByteView data, FileRole role) {
    return FileEntry{path, hab::hash_hex(hab::sha256(data)), data.size(), role};
}

std::vector<FuseWordPlan> srk_fuse_plan(const device::Device& dev, ByteView srk_table) {
    const hab::SrkFuseWords words = hab::srk_fuse_words(hab::srk_fuse_hash(srk_table));
    const bool lockable = dev.fuse_field("SRK_LOCK") != nullptr;
    std::vector<FuseWordPlan> plan;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string name = fmt::format("SRK{}", i);
        const device::FuseWord* w = dev.fuse(name);
        if (w == nullptr)
            throw Error(ErrorCode::Internal, fmt::format("{} has no fuse word {}", dev.name, name));
        plan.push_back({name, w->index, words[i],
                        lockable ? LockPolicy::AfterVerify : LockPolicy::None,
                        lockable ? "SRK_LOCK" : "", kWholeWord, ""});
    }
    return plan;
}

BoardData board_data_of(const project::BoardDataSpec& b, const Manifest& m,
                        const device::Device& dev) {
    const auto fail = [&](const std::string& why) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: per_board {}: {}", b.where, b.name, why));
    };
    BoardData d;
    d.name = b.name;
    d.source = parse_board_data_source(b.source).value_or(BoardDataSource::Counter);
    d.start = b.start;
    d.column = b.column;
    const std::string format =
        b.format.value_or(d.source == BoardDataSource::Counter ? "le32" : "hex");
    const auto parsed = parse_board_data_format(format);
    if (!parsed)
        fail(fmt::format("format '{}' is not le32, le64, hex or text", format));
    d.format = *parsed;
    std::uint32_t natural = 0;
    if (d.format == BoardDataFormat::Le32)
        natural = 4;
    else if (d.format == BoardDataFormat::Le64 ||
             (d.source == BoardDataSource::Uid && d.format == BoardDataFormat::Hex))
        natural = 8;
    else if (d.source == BoardDataSource::Uid)
        natural = 16;
    d.size = b.size.value_or(natural);
    if (d.size == 0)
        fail(fmt::format("give its size: how many bytes a {} value takes", format));
    if (b.address) {
        const auto image = std::find_if(m.images.begin(), m.images.end(),
                                        [](const ImageEntry& i) { return i.memory_id != 0; });
        if (image == m.images.end())
            fail("an address needs a boot device with memory (the image is loaded to RAM)");
        d.memory_id = image->memory_id;
        d.address = *b.address;
        const auto file = std::find_if(m.files.begin(), m.files.end(),
                                       [&](const FileEntry& f) { return f.path == image->file; });
        const std::uint64_t end = image->address + (file == m.files.end() ? 0 : file->size);
        if (std::uint64_t{d.address} + d.size > image->address && d.address < end) {
            fail(fmt::format("0x{:08x}..0x{:08x} overlaps the image (0x{:08x}..0x{:08x})",
                             d.address, d.address + d.size - 1, image->address, end - 1));
        }
    }
    for (const std::string& w : b.fuses) {
        if (auto why = board_fuse_word_problem(dev, w))
            fail(*why);
    }
    d.fuses = b.fuses;
    if (auto why = board_data_problem(d))
        throw Error(ErrorCode::BadInput, fmt::format("{}: per_board {}", b.where, *why));
    return d;
}

// The project's per_board: values become per-board-data steps after the images are written and
// verified, before the package's own fuses are burned.
void add_board_data(Manifest& m, const project::BuildSpec& spec, const device::Device& dev) {
    std::vector<WriteStep> steps;
    for (const auto& b : spec.per_board) {
        WriteStep s;
        s.op = StepOp::PerBoardData;
        s.data = board_data_of(b, m, dev);
        steps.push_back(std::move(s));
    }
    const auto at = std::find_if(m.write_plan.begin(), m.write_plan.end(), [](const WriteStep& s) {
        return s.op == StepOp::ProgramFuses || s.op == StepOp::LockFuses || s.op == StepOp::Reset;
    });
    m.write_plan.insert(at, steps.begin(), steps.end());
}

}  // namespace

ExportedPackage export_package(const ExportOptions& options) {
    const std::filesystem::path project_file =
        std::filesystem::absolute(options.project).lexically_normal();
    const project::BuildSpec spec = project::load_project(project_file);
    const bool encrypted = spec.hab && spec.hab->encrypt;
    // How the image is encrypted on the host: then the plaintext app stays out of the package.
    const std::string_view encrypted_as =
        encrypted ? "HAB-encrypted"
        : spec.bee && spec.bee->mode == bee::KeySource::UserKey ? "BEE-encrypted"
        : spec.otfad && spec.otfad->kek_source == otfad::KekSource::SwGp2 ? "OTFAD-encrypted"
                                                                          : "";
    std::vector<Input> inputs =
        public_inputs(spec, project_file, encrypted_as.empty() || options.include_sources);
    name_inputs(inputs, project_file.parent_path());
    for (auto& in : inputs) {
        in.data = read_file(in.source);
        refuse_private_key(in.data, in.source.string(),
                           in.role == FileRole::Certificate
                               ? "give the project a file with the certificate only"
                               : "remove the key from the file, or keep the file out of the "
                                 "project");
    }

    check_bee_project(spec, project_file);
    check_otfad_project(spec, project_file);
    const project::BuildOutputs built = with_context(project_file.string(), [&] {
        return project::build_outputs(spec, options.env_password, "image");
    });
    check_bee_build(spec, built, project_file);
    check_otfad_build(spec, built, project_file);
    // The build read the files again: a change in between would package one version of an input
    // beside an image built from another.
    for (const auto& in : inputs) {
        if (read_file(in.source) != in.data) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: changed while the package was being built; export again",
                                    in.source.string()));
        }
    }

    if (options.built_image) {
        const Bytes given = read_file(*options.built_image);
        if (given != built.data) {
            const bool unreproducible = spec.hab && !spec.hab->signature_time;
            throw Error(
                ErrorCode::BadInput,
                fmt::format("{}: stale: not the image {} builds from the files on disk "
                            "now (an input changed after it was built?){}",
                            options.built_image->string(), project_file.string(),
                            unreproducible ? "; note: without hab.signature_time every signing "
                                             "differs, so a signed build cannot be matched"
                                           : ""));
        }
    }
    ExportedPackage out;
    out.warnings = built.image.warnings;
    if (options.include_sources) {
        out.warnings.push_back(
            !encrypted_as.empty()
                ? fmt::format("--include-sources: the package carries the plaintext "
                              "application {} beside the {} image: whoever has the package "
                              "can read the firmware",
                              spec.app.string(), encrypted_as)
                      : "--include-sources has no effect: the image is not encrypted and the "
                        "application is always packaged");
    }
    Manifest& m = out.manifest;
    m.writer = "rtprov " + options.rtprov_version;
    m.device = std::string(built.options.device->name);
    std::vector<ZipEntry> files;
    const auto add = [&](FileEntry e, Bytes data) {
        m.files.push_back(std::move(e));
        files.push_back({m.files.back().path, std::move(data)});
    };
    const std::string boot_device(device::boot_device_name(built.options.boot_device));
    // A package's image is written to its boot device for the ROM to boot: a free layout may move
    // the app (initial_load_size), not the IVT from where that ROM reads it.
    if (const device::BootLayout* rom = built.options.device->layout(built.options.boot_device);
        spec.layout && rom && built.options.boot_device != device::BootDevice::SerialDownloader &&
        spec.layout->ivt_offset != rom->ivt_offset) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: layout.ivt_offset 0x{:X}: the boot ROM reads the IVT at "
                                "0x{:X} of {}, so the package's image would not boot; keep "
                                "ivt_offset 0x{:X} (initial_load_size may differ)",
                                spec.layout->where.empty() ? project_file.string()
                                                           : spec.layout->where,
                                spec.layout->ivt_offset, rom->ivt_offset, boot_device,
                                rom->ivt_offset));
    }
    const std::string image_path = "images/" + boot_device + ".bin";
    m.images.push_back(place_image(*built.options.device, built.options.boot_device, image_path,
                                   built.data, built.is_signed));
    add(entry_for(image_path, built.data, FileRole::Image), built.data);
    if (built.flashloader) {
        const std::string path = "flashloader/flashloader.bin";
        m.flashloaders.push_back(place_flashloader(path, *built.flashloader, false));
        add(entry_for(path, *built.flashloader, FileRole::Flashloader), *built.flashloader);
    }
    if (built.flashloader_signed) {
        const std::string path = "flashloader/flashloader_signed.bin";
        m.flashloaders.push_back(place_flashloader(path, *built.flashloader_signed, true));
        add(entry_for(path, *built.flashloader_signed, FileRole::Flashloader),
            *built.flashloader_signed);
    }
    const auto require = [&](std::string_view name) {
        const Feature* f = find_feature(name);
        m.required.push_back({std::string(f->name), std::string(f->added_in)});
    };
    if (built.is_signed) {
        require("hab-signed");
        if (spec.hab->encrypt)
            require("hab-encrypted");
        require("fuse-srk");
        m.fuses = srk_fuse_plan(*built.options.device, built.srk_table);
        add(entry_for("fuses/srk_hash.bin", built.srk_hash, FileRole::SrkHash), built.srk_hash);
    }
    for (auto& in : inputs) {
        FileEntry e = entry_for(in.name, in.data, in.role);
        add(std::move(e), std::move(in.data));
    }
    // The secrets go in one file, sealed to the stations that may write the package; the plan's
    // key-blob and secret fuse steps name them (the names first: the plan is made from them).
    std::vector<Secret> secrets;
    if (encrypted) {
        require("hab-dek-blob");
        secrets.push_back({std::string(kDekSecret), read_file(spec.hab->encrypt->dek)});
        m.secrets = SecretsRef{"", true, {std::string(kDekSecret)}};
    }
    NorFlashDecision nor = decide_nor_flash(spec, project_file, *built.options.device,
                                            m.images.front(), built.data, built.options.fcb);
    if (nor.fcb_file) {
        const std::string path(kFcbPackagePath);
        add(entry_for(path, *nor.fcb_file, FileRole::Fcb), *nor.fcb_file);
    }
    m.write_plan = make_write_plan(
        m,
        [&](const std::string& path) -> ByteView {
            for (const auto& f : files)
                if (f.name == path)
                    return f.data;
            throw Error(ErrorCode::Internal, fmt::format("{}: not in the package", path));
        },
        nor.nor_fcb);
    for (Secret& s : add_bee(m, spec, built, project_file))
        secrets.push_back(std::move(s));
    for (Secret& s : add_otfad(m, spec, built))
        secrets.push_back(std::move(s));
    if (!secrets.empty()) {
        SecretsFile f = package_secrets(secrets, options, project_file.string());
        if (f.ref.sealed)
            require("sealed-secrets");
        m.secrets = f.ref;
        FileEntry entry = entry_for(f.ref.file, f.data, FileRole::Secrets);
        add(std::move(entry), std::move(f.data));
        out.warnings.insert(out.warnings.end(), f.warnings.begin(), f.warnings.end());
        out.secrets = std::move(secrets);
    }
    if (!spec.per_board.empty()) {
        add_board_data(m, spec, *built.options.device);
        require("per-board-data");
    }
    if (spec.quota) {
        m.production.quota = spec.quota;
        require("production-quota");
    }

    m.schema = schema_for(m);
    // README.txt describes the manifest's other files, so it is made last and listed too.
    const std::string readme_text = format_readme(m);
    Bytes readme(readme_text.begin(), readme_text.end());
    add(entry_for("README.txt", readme, FileRole::Readme), readme);

    std::sort(m.files.begin(), m.files.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
    std::sort(files.begin(), files.end(),
              [](const ZipEntry& a, const ZipEntry& b) { return a.name < b.name; });
    // What import-pkg and write will check: export never writes a package they refuse.
    std::map<std::string, Bytes> by_path;
    for (const auto& f : files)
        by_path.emplace(f.name, f.data);
    validate_manifest(m, by_path);
    const std::string manifest = format_manifest(m);
    if (options.sign_key) {
        const hab::PrivateKey key =
            hab::PrivateKey::load(*options.sign_key, options.sign_key_password);
        const std::string sig = sign_manifest(manifest, key);
        files.insert(files.begin(),
                     ZipEntry{std::string(kSignatureName), Bytes(sig.begin(), sig.end())});
    }
    files.insert(files.begin(), ZipEntry{"manifest.json", Bytes(manifest.begin(), manifest.end())});
    // The inputs were searched as read; this covers what the build made of them too.
    for (const ZipEntry& f : files)
        refuse_private_key(f.data, "package file " + f.name, "export refused");
    out.zip = write_zip(files, dos_time(options.source_date_epoch));
    return out;
}

}  // namespace rtprov::pkg
