#include "rtprov/sim/state_store.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::sim {

namespace {

constexpr std::uint32_t kBlock = NorFlash::kBlockSize;

nlohmann::json read_json(const std::filesystem::path& file) {
    try {
        const std::string text = read_text_file(file);
        check_json_depth(text, file.string());
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: {}", file.string(), e.what()));
    }
}

}  // namespace

std::optional<std::string> stored_device(const std::filesystem::path& dir) {
    const auto file = dir / "state.json";
    if (!path_exists(file))
        return std::nullopt;
    const auto doc = read_json(file);
    if (!doc.contains("device") || !doc["device"].is_string())
        throw Error(ErrorCode::BadInput, fmt::format("{}: no \"device\" string", file.string()));
    return doc["device"].get<std::string>();
}

bool load_state(Chip& chip, const std::filesystem::path& dir) {
    const auto file = dir / "state.json";
    if (!path_exists(file))
        return false;
    const auto doc = read_json(file);
    const std::string device = doc.value("device", "");
    if (device != chip.device().name)
        throw Error(ErrorCode::Usage, fmt::format("{} holds the state of a {}, not a {}",
                                                  dir.string(), device, chip.device().name));
    try {
        const auto& f = doc.at("flash");
        chip.flash().set_geometry({f.at("size").get<std::uint32_t>(),
                                   f.at("sector_size").get<std::uint32_t>(),
                                   f.at("page_size").get<std::uint32_t>()});
        for (const auto& [name, value] : doc.at("fuses").items()) {
            const device::FuseWord* w = chip.device().fuse(name);
            if (w == nullptr)
                throw Error(ErrorCode::BadInput,
                            fmt::format("{}: unknown fuse word {}", file.string(), name));
            chip.fuses().restore(w->index, value.get<std::uint32_t>());
        }
        const std::string mode = doc.value("mode", "rom");
        chip.set_mode(mode == "flashloader" ? ChipMode::Flashloader
                      : mode == "app"       ? ChipMode::App
                                            : ChipMode::Rom);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: {}", file.string(), e.what()));
    }
    chip.flash().erase_all();
    const auto flash_file = dir / "flash.bin";
    if (path_exists(flash_file)) {
        const Bytes data = read_file(flash_file);
        if (data.size() % (4 + kBlock) != 0)
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: {} bytes is not a whole number of {}-byte records",
                                    flash_file.string(), data.size(), 4 + kBlock));
        for (std::size_t at = 0; at < data.size(); at += 4 + kBlock) {
            chip.flash().load_block(load_le32(&data[at]), ByteView(data).subspan(at + 4, kBlock));
        }
    }
    return true;
}

void save_state(const Chip& chip, const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw Error(ErrorCode::Io,
                    fmt::format("{}: cannot create: {}", dir.string(), ec.message()));
    Bytes flash;
    for (const auto& [offset, block] : chip.flash().blocks()) {
        append_le32(flash, offset);
        flash.insert(flash.end(), block.begin(), block.end());
    }
    write_file_atomic(dir / "flash.bin", flash);
    nlohmann::json fuses = nlohmann::json::object();
    for (const auto& w : chip.fuses().words())
        fuses[std::string(w.word->name)] = w.value;
    const FlashGeometry& g = chip.flash().geometry();
    const nlohmann::json doc = {
        {"device", chip.device().name},
        {"mode", chip_mode_name(chip.mode())},
        {"flash", {{"size", g.size}, {"sector_size", g.sector_size}, {"page_size", g.page_size}}},
        {"fuses", fuses},
    };
    write_file_atomic(dir / "state.json", doc.dump(2) + "\n");
}

}  // namespace rtprov::sim
