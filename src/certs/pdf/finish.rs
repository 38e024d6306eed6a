//! What printpdf 0.7 leaves undone: the font embedded as a subset of the glyphs drawn, the
//! document information as UTF-16 text strings, and every stream compressed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use printpdf::lopdf::{self, Dictionary, Object, ObjectId, Stream, StringFormat};

use super::{FONT, SUBSET_NAME};

/// A PDF text string: UTF-16BE with its byte order mark, so that any Vietnamese text reads back
/// as written (PDF 32000-1 §7.9.2.2).
pub fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// What printpdf 0.7 does not: the font embedded as a subset of the glyphs drawn, the document
/// information and the layer's name as text strings (it writes UTF-8 bytes, which viewers read as
/// PDFDocEncoding: "Chá»©ng nháº­n"), no PDF/X keys (this is no PDF/X file), and every stream
/// compressed (printpdf compresses only in release builds, and never the font).
pub(super) fn finish(
    bytes: &[u8],
    face: &ttf_parser::Face<'_>,
    used: &BTreeSet<char>,
    info: &[(&str, &str)],
) -> anyhow::Result<Vec<u8>> {
    let mut doc = lopdf::Document::load_mem(bytes)?;
    let info_id = doc.trailer.get(b"Info")?.as_reference()?;
    let dict = doc.get_object_mut(info_id)?.as_dict_mut()?;
    for (key, value) in info {
        dict.set(*key, text_string(value));
    }
    for key in [&b"GTS_PDFXVersion"[..], b"Trapped", b"Identifier"] {
        dict.remove(key);
    }
    for object in doc.objects.values_mut() {
        let Ok(dict) = object.as_dict_mut() else {
            continue;
        };
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"OCG") {
            if let Ok(Object::String(name, _)) = dict.get(b"Name") {
                let name = String::from_utf8_lossy(name).into_owned();
                dict.set("Name", text_string(&name));
            }
        }
    }
    embed_subset(&mut doc, face, used)?;
    doc.compress();
    let mut out = Vec::with_capacity(64 * 1024);
    doc.save_to(&mut out)?;
    Ok(out)
}

/// Replaces the whole font that printpdf embedded with the glyphs drawn. printpdf writes each
/// glyph's id in the full font as its CID (Identity-H); the subset numbers its glyphs from 0, so a
/// `CIDToGIDMap` leads each CID to its new glyph and the page's text stays as it is. The widths
/// and the `ToUnicode` map (text search and copy) are written again for the CIDs used only.
fn embed_subset(
    doc: &mut lopdf::Document,
    face: &ttf_parser::Face<'_>,
    used: &BTreeSet<char>,
) -> anyhow::Result<()> {
    // The CIDs used (glyph ids in the full font), each with the character it shows.
    let mut cids = BTreeMap::new();
    for c in used {
        if let Some(gid) = face.glyph_index(*c) {
            cids.entry(gid.0).or_insert(*c);
        }
    }
    let remapper =
        subsetter::GlyphRemapper::new_from_glyphs_sorted(&cids.keys().copied().collect::<Vec<_>>());
    let subset = subsetter::subset(FONT, 0, &remapper)
        .map_err(|e| anyhow::anyhow!("cannot subset the font: {e}"))?;
    let last = cids.keys().next_back().copied().unwrap_or(0);
    let mut cid_to_gid = Vec::with_capacity(2 * (usize::from(last) + 1));
    for cid in 0..=last {
        cid_to_gid.extend_from_slice(&remapper.get(cid).unwrap_or(0).to_be_bytes());
    }
    let per_em = f32::from(face.units_per_em());
    let scale = |v: i16| Object::Integer((f32::from(v) * 1000.0 / per_em).round() as i64);
    let mut widths = Vec::new();
    for cid in cids.keys() {
        let advance = face
            .glyph_hor_advance(ttf_parser::GlyphId(*cid))
            .unwrap_or(0);
        widths.push(Object::Integer(i64::from(*cid)));
        widths.push(Object::Array(vec![scale(
            i16::try_from(advance).unwrap_or(i16::MAX),
        )]));
    }
    let bbox = face.global_bounding_box();

    let font_id = doc
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_dict()
                .is_ok_and(|d| d.has(b"DescendantFonts") && d.has(b"ToUnicode"))
        })
        .map(|(id, _)| *id)
        .ok_or_else(|| anyhow::anyhow!("no Type0 font in the PDF"))?;
    let map_id = doc.add_object(Stream::new(Dictionary::new(), cid_to_gid));
    let font = doc.get_object_mut(font_id)?.as_dict_mut()?;
    font.set("BaseFont", Object::Name(SUBSET_NAME.into()));
    let to_unicode_id: ObjectId = font.get(b"ToUnicode")?.as_reference()?;
    let Ok(Object::Array(descendants)) = font.get_mut(b"DescendantFonts") else {
        anyhow::bail!("the font has no descendant font");
    };
    let cid_font = descendants
        .first_mut()
        .ok_or_else(|| anyhow::anyhow!("the font has no descendant font"))?
        .as_dict_mut()?;
    cid_font.set("BaseFont", Object::Name(SUBSET_NAME.into()));
    cid_font.set("W", Object::Array(widths));
    cid_font.set("CIDToGIDMap", Object::Reference(map_id));
    let descriptor_id = cid_font.get(b"FontDescriptor")?.as_reference()?;

    let descriptor = doc.get_object_mut(descriptor_id)?.as_dict_mut()?;
    descriptor.set("FontName", Object::Name(SUBSET_NAME.into()));
    descriptor.set(
        "FontBBox",
        Object::Array(vec![
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ]),
    );
    if let Some(cap) = face.capital_height() {
        descriptor.set("CapHeight", scale(cap));
    }
    let file_id = descriptor.get(b"FontFile2")?.as_reference()?;
    let file = doc.get_object_mut(file_id)?.as_stream_mut()?;
    file.dict
        .set("Length1", Object::Integer(subset.len() as i64));
    file.set_plain_content(subset);

    let to_unicode = doc.get_object_mut(to_unicode_id)?.as_stream_mut()?;
    to_unicode.set_plain_content(to_unicode_cmap(&cids).into_bytes());
    Ok(())
}

/// The `ToUnicode` CMap of the CIDs used (PDF 32000-1 §9.10.3), at most 100 entries a block.
fn to_unicode_cmap(cids: &BTreeMap<u16, char>) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = cids.iter().collect();
    for block in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", block.len());
        for (cid, c) in block {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(cmap, "<{cid:04X}> <{hex}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}
