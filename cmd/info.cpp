// rtprov info: parse a bootable image (decrypting BEE with the keys given) or an SB file back into
// its parts.

#include <fmt/format.h>

#include "bee_display.hpp"
#include "cli_errors.hpp"
#include "command.hpp"
#include "image_json.hpp"
#include "otfad_display.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "sb_display.hpp"

namespace rtprov::cli {

namespace {

// FCB fields in block order; zero fields and LUT words are left out, the LUT sequences are decoded.
void print_fcb(Output& out, const boot::Fcb& fcb, std::uint32_t offset) {
    out.text("FCB (FlexSPI NOR config block) at offset 0x{:X}:", offset);
    for (const auto& [name, value] : boot::fcb_fields(fcb)) {
        if (value != 0 && name.rfind("lookupTable", 0) != 0)
            out.text("  {:<24} 0x{:X}", name, value);
    }
    for (unsigned seq = 0; seq < 16; ++seq) {
        const auto instructions = boot::describe_lut_sequence(fcb, seq);
        if (instructions.empty())
            continue;
        std::string line;
        for (const auto& i : instructions)
            line += (line.empty() ? "" : "; ") + i;
        out.text("  LUT sequence {:<2}           {}", seq, line);
    }
}

class InfoCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("image", image_,
                       "Bootable image (with or without the area before the IVT) or SB file")
            ->required();
        app.add_option("--bee-key", bee_keys_,
                       "BEE region key: 32 hex digits or a 16-byte file; a second one for region 1")
            ->allow_extra_args(false);
        app.add_flag("--show-keys", show_keys_, kShowKeysHelp);
        app.add_option("--otfad-kek", otfad_kek_,
                       "RT1010 OTFAD: a 16-byte KEK file to unwrap the key blobs at 0 and decrypt")
            ->check(existing_file());
        app.add_option("--decrypt", decrypt_,
                       "With --bee-key or --otfad-kek: write the plain image here");
        app.footer(
            "Finds the IVT at offset 0x1000, 0x400 or 0, then follows its pointers. BEE headers\n"
            "at 0x400/0x800 are shown (decrypted with --bee-key; their KIB keys and nonces only\n"
            "with --show-keys); SB 1.x files are listed command by command. With --json every\n"
            "number is a plain integer.");
    }

    int run(Output& out) override {
        const Bytes file = read_file(image_);
        if (looks_like_sb(file)) {
            if (!bee_keys_.empty() || !decrypt_.empty() || !otfad_kek_.empty())
                throw Error(ErrorCode::Usage,
                            "--bee-key and --decrypt apply to images, not SB files");
            const sb::SbFile f = sb::parse(file, image_);
            out.result(sb_json(f, file.size()));
            print_sb(out, f, file.size(), image_);
            return 0;
        }
        const std::vector<std::uint32_t> bee_slots = bee::header_slots(file);
        const bool otfad_table = otfad::looks_like_key_blob_table(file);
        const std::optional<otfad::Decrypted> otfad_plain =
            decrypt_otfad_for_info(file, otfad_kek_, image_);
        if (otfad_plain && !decrypt_.empty())
            write_file_atomic(decrypt_, otfad_plain->data, FileAccess::Owner);  // firmware
        std::optional<bee::Decrypted> plain;
        if (!bee_keys_.empty()) {
            plain = bee::decrypt_image(file, parse_bee_keys(bee_keys_), image_);
            if (!decrypt_.empty())
                write_file_atomic(decrypt_, plain->data, FileAccess::Owner);  // firmware
        } else if (!decrypt_.empty() && !otfad_plain) {
            throw Error(ErrorCode::Usage, "--decrypt needs --bee-key");
        }
        const Bytes& data = plain ? plain->data : otfad_plain ? otfad_plain->data : file;
        boot::ParsedImage p;
        try {
            p = boot::parse_boot_image(data, image_);
        } catch (const Error&) {
            if (otfad_table && !otfad_plain) {
                throw Error(ErrorCode::BadInput,
                            fmt::format("{}: OTFAD-encrypted image (key blobs at 0x000): give "
                                        "--otfad-kek to decrypt it",
                                        image_));
            }
            if (plain || bee_slots.empty())
                throw;
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: BEE-encrypted image (header{} at {}): give --bee-key to "
                                    "decrypt it",
                                    image_, bee_slots.size() > 1 ? "s" : "",
                                    bee_slots.size() > 1 ? "0x400 and 0x800"
                                    : bee_slots[0] == 0  ? "0x400"
                                                         : "0x800"));
        }
        nlohmann::json doc = parsed_image_json(p, data);
        if (plain)
            doc["bee"] = {{"regions", bee_regions_json(plain->regions, true, show_keys_)}};
        else if (!bee_slots.empty())
            doc["bee"] = {{"encrypted_headers", bee_slots}};
        if (otfad_plain) {
            doc["otfad"] = {{"contexts", otfad_contexts_json(otfad_plain->contexts, false)},
                            {"crc_ok", otfad_plain->crc_ok}};
        } else if (otfad_table) {
            doc["otfad"] = {{"key_blobs", "encrypted"}};
        }
        if (out.json()) {
            out.result(doc);
            return 0;
        }
        out.text("{}: {} bytes, file starts at 0x{:08X}{}", image_, file.size(), p.file_address,
                 plain         ? ", BEE-encrypted (shown decrypted)"
                 : otfad_plain ? ", OTFAD-encrypted (shown decrypted)"
                               : "");
        if (otfad_plain) {
            print_otfad_contexts(out, otfad_plain->contexts, false);
            if (!otfad_plain->crc_ok)
                out.warning("an OTFAD key blob's CRC-32 does not match its fields");
        } else if (otfad_table) {
            out.text("OTFAD key blobs at 0x000..0x0FF: encrypted (give --otfad-kek to decrypt)");
        }
        if (plain)
            print_bee_regions(out, plain->regions, show_keys_);
        else if (!bee_slots.empty())
            out.text("BEE headers at 0x{:X}{}: encrypted (give --bee-key to decrypt)",
                     bee::kHeaderOffsets[bee_slots[0]], bee_slots.size() > 1 ? " and 0x800" : "");
        if (p.fcb)
            print_fcb(out, boot::parse_fcb(*p.fcb, image_), p.fcb_file_offset);
        out.text("IVT at offset 0x{:X} (version 0x{:02X}):", p.ivt_file_offset, p.ivt.version);
        out.text("  self       0x{:08X}", p.ivt.self);
        out.text("  entry      0x{:08X}", p.ivt.entry);
        out.text("  boot data  0x{:08X}", p.ivt.boot_data);
        out.text("  DCD        0x{:08X}{}", p.ivt.dcd, p.ivt.dcd ? "" : " (none)");
        out.text("  CSF        0x{:08X}{}", p.ivt.csf, p.ivt.csf ? "" : " (unsigned)");
        out.text("Boot data: start 0x{:08X}, length 0x{:X} ({} bytes), plugin {}",
                 p.boot_data.start, p.boot_data.length, p.boot_data.length, p.boot_data.plugin);
        if (!p.boot_data_covers_file) {
            out.warning("the boot data length ends before the end of the file");
        }
        if (doc["dcd"].is_object()) {
            out.text("DCD at 0x{:08X}, {} bytes:", p.ivt.dcd, p.dcd_size);
            out.text("{}", doc["dcd"]["text"].get<std::string>());
        }
        if (p.app_file_offset) {
            out.text("App at 0x{:08X} (file offset 0x{:X}), {} bytes", p.app_address,
                     *p.app_file_offset, p.app_size);
        } else {
            out.text("App: no vector table found whose reset vector is the IVT entry");
        }
        if (p.ivt.csf != 0) {
            if (p.csf_file_offset) {
                out.text("CSF at 0x{:08X} (file offset 0x{:X}), {} bytes in the file", p.ivt.csf,
                         *p.csf_file_offset, p.csf_size);
            } else {
                out.text("CSF at 0x{:08X}: not in this file", p.ivt.csf);
            }
        }
        return 0;
    }

  private:
    std::string image_, decrypt_, otfad_kek_;
    std::vector<std::string> bee_keys_;
    bool show_keys_ = false;
};

}  // namespace

std::unique_ptr<Command> make_info_command() {
    return std::make_unique<InfoCommand>();
}

}  // namespace rtprov::cli
