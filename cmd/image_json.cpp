#include "image_json.hpp"

#include "rtprov/boot/dcd.hpp"
#include "rtprov/boot/fcb.hpp"

namespace rtprov::cli {

nlohmann::json ivt_json(const boot::Ivt& ivt) {
    return {{"version", ivt.version},     {"entry", ivt.entry}, {"dcd", ivt.dcd},
            {"boot_data", ivt.boot_data}, {"self", ivt.self},   {"csf", ivt.csf}};
}

nlohmann::json boot_data_json(const boot::BootData& bd) {
    return {{"start", bd.start}, {"length", bd.length}, {"plugin", bd.plugin}};
}

nlohmann::json build_result_json(const boot::BootImage& image, const device::Device& dev,
                                 device::BootDevice boot_device) {
    nlohmann::json doc = {
        {"device", dev.name},
        {"boot_device", device::boot_device_name(boot_device)},
        {"file",
         {{"address", image.address},
          {"size", image.data.size()},
          {"ivt_offset", image.ivt.self - image.address}}},
        {"ivt", ivt_json(image.ivt)},
        {"boot_data", boot_data_json(image.boot_data)},
        {"app", {{"address", image.app_address}, {"size", image.app_size}}},
        {"dcd", image.dcd_size
                    ? nlohmann::json{{"address", image.ivt.dcd}, {"size", image.dcd_size}}
                    : nlohmann::json(nullptr)},
        {"fcb", image.has_fcb},
        {"warnings", image.warnings},
    };
    return doc;
}

nlohmann::json parsed_image_json(const boot::ParsedImage& p, ByteView file) {
    nlohmann::json doc = {
        {"file",
         {{"address", p.file_address}, {"size", file.size()}, {"ivt_offset", p.ivt_file_offset}}},
        {"ivt", ivt_json(p.ivt)},
        {"boot_data", boot_data_json(p.boot_data)},
        {"boot_data_covers_file", p.boot_data_covers_file},
    };
    if (p.fcb) {
        nlohmann::json fields = nlohmann::json::object();
        for (const auto& [name, value] : boot::fcb_fields(boot::parse_fcb(*p.fcb, "FCB"))) {
            fields[name] = value;
        }
        doc["fcb"] = fields;
    } else {
        doc["fcb"] = nullptr;
    }
    if (p.dcd_file_offset) {
        const auto dcd = boot::parse_dcd(file.subspan(*p.dcd_file_offset, p.dcd_size), "DCD");
        doc["dcd"] = {
            {"address", p.ivt.dcd}, {"size", p.dcd_size}, {"text", boot::dcd_to_text(dcd)}};
    } else {
        doc["dcd"] = nullptr;
    }
    if (p.app_file_offset) {
        doc["app"] = {
            {"address", p.app_address}, {"size", p.app_size}, {"file_offset", *p.app_file_offset}};
    } else {
        doc["app"] = nullptr;
    }
    if (p.ivt.csf != 0) {
        doc["csf"] = {{"address", p.ivt.csf},
                      {"present", p.csf_file_offset.has_value()},
                      {"size", p.csf_size}};
    } else {
        doc["csf"] = nullptr;
    }
    return doc;
}

}  // namespace rtprov::cli
