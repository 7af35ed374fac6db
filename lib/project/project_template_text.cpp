// The text `rtprov init` writes: every key the project sets, with a comment saying what it does,
// and every optional key it leaves at its default as a comment line explaining it.

#include <sstream>

#include <fmt/format.h>

#include "project_template_plan.hpp"

namespace rtprov::project::detail {

namespace {

constexpr std::size_t kCommentColumn = 38;

// Writes the project text line by line; a setting's comment starts at kCommentColumn.
class Text {
  public:
    void raw(std::string_view line) { out_ << line << "\n"; }
    void blank() { out_ << "\n"; }
    // "# what" lines, one per line of `what`.
    void note(std::string_view what, std::string_view indent = "") {
        std::istringstream lines{std::string(what)};
        for (std::string l; std::getline(lines, l);)
            out_ << indent << (l.empty() ? "#" : "# " + l) << "\n";
    }
    // "setting  # comment".
    void set(std::string_view setting, std::string_view comment = "") {
        out_ << setting;
        if (!comment.empty()) {
            const std::size_t pad =
                setting.size() < kCommentColumn ? kCommentColumn - setting.size() : 1;
            out_ << std::string(pad, ' ') << "# " << comment;
        }
        out_ << "\n";
    }
    // An optional setting left out: "# setting  # comment", `indent` before the '#'.
    void off(std::string_view indent, std::string_view setting, std::string_view comment) {
        set(fmt::format("{}# {}", indent, setting), comment);
    }
    std::string str() const { return out_.str(); }

  private:
    std::ostringstream out_;
};

// A YAML plain scalar when safe, else single-quoted.
std::string scalar(const std::string& text) {
    bool plain = !text.empty() && text.front() != '-';
    for (const char c : text) {
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                          std::string_view("-_./+").find(c) != std::string_view::npos);
    }
    if (plain)
        return text;
    std::string q = "'";
    for (const char c : text)
        q += c == '\'' ? std::string("''") : std::string(1, c);
    return q + "'";
}

std::string hex(std::uint32_t v) {
    return fmt::format("0x{:08X}", v);
}

std::uint32_t fac_length(const TemplatePlan& p) {
    return static_cast<std::uint32_t>((std::uint64_t{p.app_size} + 0x3FF) / 0x400 * 0x400);
}

std::string other_boot_devices(const TemplatePlan& p) {
    std::string out;
    for (const auto& l : p.device->boot_layouts) {
        if (l.device != p.boot_device)
            out += (out.empty() ? "" : ", ") + std::string(device::boot_device_name(l.device));
    }
    return out;
}

void write_app(Text& t, const TemplatePlan& p) {
    const TemplateOptions& o = p.options;
    const std::string where = p.xip ? fmt::format("executes in place from {}", p.app_region)
                                    : fmt::format("the boot ROM copies it to {}", p.app_region);
    t.raw("app:");
    t.set("  file: " + scalar(o.app),
          p.app_known
              ? fmt::format("linked at {} ({} bytes): {}", hex(p.app_start), p.app_size, where)
              : fmt::format("ELF, HEX, S-record or raw binary, linked at {}: {}", hex(p.app_start),
                            where));
    t.off("  ", "format: auto", "auto (from the content), elf, hex, srec or bin");
    if (o.app_address)
        t.set("  address: " + hex(*o.app_address), "load address of a raw binary");
    else
        t.off("  ", "address: " + hex(p.app_start), "a raw binary needs it; checked for the rest");
    t.off("  ", fmt::format("entry: {}", hex(p.app_start + 0x41)),
          "IVT entry point; default: the app's reset vector");
    if (o.encrypt) {
        t.note(
            "HAB encryption: the app must be linked into RAM (DTCM, OCRAM, or SDRAM with a\n"
            "dcd:); rtprov build refuses to HAB-encrypt an app executed in place from flash.",
            "  ");
    }
}

void write_fcb(Text& t, const TemplatePlan& p) {
    if (p.boot_device != device::BootDevice::FlexspiNor) {
        t.off("", "fcb: {...}", "FlexSPI NOR config block: flexspi-nor only");
        return;
    }
    if (p.preset) {
        t.set("fcb: " + std::string(p.preset->name),
              fmt::format("{}: {}", p.preset->board, p.preset->description));
        t.off("", fmt::format("fcb: {{preset: {}, fields: {{serialClkFreq: 7}}}}", p.preset->name),
              "preset with field overrides (`rtprov fcb`)");
    } else {
        t.note(
            "No FCB preset for this part's board in `rtprov fcb --list`: give your flash's\n"
            "512-byte FCB (`fcb: flash.fcb`) or a preset that matches it, else the boot ROM\n"
            "will not boot the image from FlexSPI NOR.");
        t.off("", "fcb: flash.fcb", "a 512-byte FCB file, or a preset name");
    }
    t.off("", fmt::format("flash_option: 0x{:08X}", p.preset ? p.preset->flash_option : 0xC0000007),
          "FlexSPI NOR option word for `rtprov write`; default: the preset's");
}

void write_hab(Text& t, const TemplatePlan& p) {
    const TemplateOptions& o = p.options;
    if (!o.hab) {
        t.off("", "hab: {...}", "HAB4 signing (and encryption): `rtprov init --hab` writes it");
        return;
    }
    t.blank();
    t.note(
        "Signed with HAB4 after building: the CSF goes on the next 4 KiB boundary after the\n"
        "app. The keys are those of `rtprov keys -o pki` (RSA-2048; other sizes change the\n"
        "names). Burn the SRK fuse words it prints before closing the part.");
    t.raw("hab:");
    t.set("  srk_table: pki/srk/SRK_table.bin", "the SRK table of `rtprov keys -o pki`");
    t.off("  ", "srk_certs: [pki/crts/SRK1_sha256_2048_65537_v3_ca_crt.pem]",
          "or 1..4 SRK certificates");
    t.set("  srk_index: 0", "0-based: SRK1 signs the CSF certificate");
    t.set("  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem");
    t.set("  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem");
    t.set("  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem");
    t.set("  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem");
    t.set("  key_password_file: pass.txt", "first line; remove to use $RTPROV_KEY_PASSWORD");
    t.off("  ", "nocak: true", "fast authentication: SRK's own key signs; no img_*");
    t.off("  ", "signature_time: 2024-01-31T12:00:00Z", "UTC; default now (fix: reproducible)");
    t.off("  ", "csf_version: 0x42", "CSF header version (HAB 4.2)");
    t.off("  ", "engine: dcp", "engine of Authenticate CSF/Data: dcp, any, caam, sw");
    t.off("  ", "engine_config: 0", "its configuration");
    t.off("  ", "set_engine: {hash: sha256, engine: dcp, engine_config: 0}", "a Set Engine");
    t.off("  ", "unlock: {engine: snvs, features: [zmk-write]}", "an Unlock command");
    if (!o.encrypt) {
        t.off("  ", "encrypt: {dek: keys/dek.bin}", "HAB encryption: a RAM-linked app only");
        return;
    }
    t.note(
        "HAB encryption (AES-CCM) of the RAM-linked app; each part wraps the DEK into its own\n"
        "blob when `rtprov write` writes it. Keep keys/dek.bin secret.",
        "  ");
    t.raw("  encrypt:");
    t.set("    dek: keys/dek.bin", "16, 24 or 32 raw bytes");
    t.off("    ", "nonce: 00112233445566778899aabbcc", "7..13 bytes hex; default random");
}

void write_bee(Text& t, const TemplatePlan& p) {
    if (!p.options.bee) {
        if (p.device->fuse_field("BEE_KEY0_SEL") != nullptr)
            t.off("", "bee: {...}", "BEE encrypted XIP: `rtprov init --bee` writes it");
        return;
    }
    t.blank();
    t.note(
        "Encrypted XIP with the BEE, after signing: the region header goes to flash offset\n"
        "0x400. `rtprov build` prints the fuses the part needs (ENCRYPTED_XIP, BEE_KEY0_SEL,\n"
        "SW_GP2). The range covers the app only: export-pkg needs the IVT, boot data and CSF\n"
        "in the clear.");
    t.raw("bee:");
    t.set("  mode: user-key", "key burned into SW_GP2; or otpmk");
    t.set("  regions:", "1 or 2 (headers at 0x400, 0x800)");
    t.set("    - key_file: keys/bee_key.bin", "16 bytes; keep it secret");
    t.off("      ", "kib_key_file: keys/bee_kib.bin", "16 bytes; default random");
    t.off("      ", "kib_iv: 00112233445566778899aabbccddeeff", "default random");
    t.off("      ", "nonce: 112233445566778899aabbcc", "AES-CTR nonce; default random");
    t.off("      ", "lock: 0", "PRDB lock options");
    t.set("      protect:", "1 KiB aligned, 3 ranges at most");
    t.set(fmt::format("        - {{start: {}, length: 0x{:X}}}", hex(p.app_start), fac_length(p)),
          p.app_known ? "the app" : "the app: its size, rounded up to 1 KiB");
}

void write_otfad(Text& t, const TemplatePlan& p) {
    if (!p.options.otfad) {
        if (p.device->fuse_field("OTFAD_ENABLE") != nullptr)
            t.off("", "otfad: {...}", "OTFAD encrypted XIP: `rtprov init --otfad` writes it");
        return;
    }
    t.blank();
    t.note(
        "Encrypted XIP with the OTFAD (docs/otfad.md), after signing: the key blobs go to\n"
        "flash offset 0 (the FCB stays at 0x400). `rtprov build` prints the contexts and\n"
        "fuses. The region covers the app only: export-pkg needs the boot structures in the\n"
        "clear.");
    t.raw("otfad:");
    t.set("  kek_source: sw-gp2", "KEK in SW_GP2; or otpmk-low/-high");
    t.set("  kek_file: keys/otfad_kek.bin", "16 bytes; keep it secret");
    t.off("  ", "scramble: {mask: 0x12345678, align: 0x72}", "KEK scrambling (sw-gp2)");
    t.off("  ", "lock_kek: true", "burn SW_GP2_LOCK/RLOCK after the key");
    t.set("  regions:", "up to 4 contexts");
    t.set("    - start: " + hex(p.app_start), "1 KiB aligned, at/above 0x60001000");
    t.set(fmt::format("      length: 0x{:X}", fac_length(p)),
          p.app_known ? "the app" : "the app: its size, rounded up to 1 KiB");
    t.off("      ", "key_file: keys/otfad_ctx0.bin", "context key, 16 bytes; default random");
    t.off("      ", "counter: 0123456789abcdef", "CTR_W0/W1; default random");
    t.off("      ", "read_only: true", "lock the context until reset");
}

void write_per_board(Text& t, const TemplatePlan& p) {
    if (!p.options.per_board) {
        t.off("", "per_board: [...]", "values per board: `rtprov init --per-board`");
        t.off("", "production: {quota: 500}", "boards a station may write");
        return;
    }
    t.blank();
    t.note(
        "Values each board gets from `rtprov write` after its image is verified; the station's\n"
        "records never give a value to two boards. See docs/project-file.md#per_board.");
    t.raw("per_board:");
    t.set("  - name: serial", "unique in the list");
    t.set("    source: counter", "counter, csv (write --board-data) or uid");
    t.set("    start: 1", "counter: the first value");
    t.off("    ", "format: le32", "le32, le64, hex, text");
    t.off("    ", "size: 4", "bytes; default: the format's");
    t.set("    address: " + hex(p.board_data_address), "outside the image and its CSF");
    t.off("    ", "fuses: [GP1]", "or fuse words (write --burn-data-fuses)");
    t.off("  ", "- {name: mac, source: csv, column: mac, size: 8, fuses: [MAC0, MAC1]}", "");
    t.off("  ",
          fmt::format("- {{name: uid_copy, source: uid, address: {}}}",
                      hex(p.board_data_address + 0x1000)),
          "");
    t.raw("production:");
    t.set("  quota: 500", "boards a station may write");
}

}  // namespace

std::vector<std::string> next_steps(const TemplatePlan& p) {
    const TemplateOptions& o = p.options;
    std::vector<std::string> steps;
    if (!p.app_known) {
        steps.push_back(fmt::format("put the app at {}, linked at {} ({})", o.app, hex(p.app_start),
                                    p.xip ? "executes in place" : "runs from RAM"));
    }
    if (o.hab) {
        steps.push_back("echo 'a long key password' > pass.txt");
        steps.push_back(
            fmt::format("rtprov keys -o pki --password-file pass.txt --device {}", p.device->name));
    }
    std::string keys;
    for (const auto& [on, file] :
         {std::pair{o.encrypt, "keys/dek.bin"}, std::pair{o.bee, "keys/bee_key.bin"},
          std::pair{o.otfad, "keys/otfad_kek.bin"}}) {
        if (on)
            keys += fmt::format(" && openssl rand -out {} 16", file);
    }
    if (!keys.empty())
        steps.push_back("mkdir -p keys" + keys);
    steps.push_back("rtprov build -c " + scalar(p.project_name));
    if (o.hab && !o.bee && !o.otfad) {
        steps.push_back(fmt::format("rtprov verify {} --srk-hash pki/srk/SRK_fuses.bin{}", p.output,
                                    o.encrypt ? " --dek keys/dek.bin" : ""));
    }
    return steps;
}

std::string template_text(const TemplatePlan& p, const std::vector<std::string>& steps) {
    Text t;
    t.note(fmt::format("rtprov project: {}, booting from {}. Written by `rtprov init`.",
                       p.device->description, device::boot_device_name(p.boot_device)));
    t.note("Next, in this folder:");
    for (std::size_t i = 0; i < steps.size(); ++i)
        t.note(fmt::format("  {}. {}", i + 1, steps[i]));
    t.note(
        "Paths are relative to this file. A line starting with '#' is an optional setting at\n"
        "its default: remove the '#' to use it. Every key: docs/project-file.md.");
    t.set("version: 1", "project file schema");
    t.blank();
    t.set("device: " + std::string(p.device->name), "`rtprov devices` lists the parts");
    const std::string others = other_boot_devices(p);
    t.set("boot_device: " + std::string(device::boot_device_name(p.boot_device)),
          others.empty() ? "" : "or: " + others);
    t.blank();
    write_app(t, p);
    t.blank();
    write_fcb(t, p);
    t.off("", "dcd: dcd.txt",
          p.app_region == "sdram" ? "needed: sets up the SDRAM the app runs from"
                                  : "device configuration data (binary or text)");
    t.set("padding: true", "false: the output starts at the IVT");
    t.set("output: " + scalar(p.output), "what `rtprov build -c` writes");
    t.off("",
          p.options.hab ? "flashloader: {file: ivt_flashloader.bin, sign: true}"
                        : "flashloader: ivt_flashloader.bin",
          "loaded over SDP by `rtprov write`");
    write_hab(t, p);
    write_bee(t, p);
    write_otfad(t, p);
    write_per_board(t, p);
    return t.str();
}

}  // namespace rtprov::project::detail
