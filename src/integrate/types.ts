// The MIME types `integrate install --risky` makes NoFear the default for: formats whose viewers parse
// complex, attacker-controlled input. The desktop entry's MimeType= lists exactly these (a test checks it).

export const RISKY_TYPES: readonly string[] = [
  // PDF and PostScript
  'application/pdf',
  'application/postscript',
  'image/x-eps',
  // OpenDocument
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.text-template',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet-template',
  'application/vnd.oasis.opendocument.presentation',
  'application/vnd.oasis.opendocument.presentation-template',
  'application/vnd.oasis.opendocument.graphics',
  // Office Open XML, macro-enabled ones included
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.template',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.template',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.openxmlformats-officedocument.presentationml.slideshow',
  'application/vnd.openxmlformats-officedocument.presentationml.template',
  'application/vnd.ms-word.document.macroEnabled.12',
  'application/vnd.ms-excel.sheet.macroEnabled.12',
  'application/vnd.ms-powerpoint.presentation.macroEnabled.12',
  // legacy Office, RTF, EPUB
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/rtf',
  'application/epub+zip',
  // web pages and SVG (they run scripts and fetch things)
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'image/svg+xml-compressed',
  // images (decoders are a classic attack surface)
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/tiff',
  'image/bmp',
  'image/vnd.microsoft.icon',
  'image/avif',
  'image/heif',
  // archives and disk images
  'application/zip',
  'application/x-tar',
  'application/x-compressed-tar',
  'application/x-bzip-compressed-tar',
  'application/x-xz-compressed-tar',
  'application/x-zstd-compressed-tar',
  'application/gzip',
  'application/x-bzip',
  'application/x-xz',
  'application/zstd',
  'application/x-7z-compressed',
  'application/vnd.rar',
  'application/x-cd-image',
  'application/vnd.ms-cab-compressed',
  // audio
  'audio/mpeg',
  'audio/ogg',
  'audio/x-vorbis+ogg',
  'audio/x-opus+ogg',
  'audio/flac',
  'audio/x-wav',
  'audio/mp4',
  'audio/webm',
  // video
  'audio/aac',
  'video/mp4',
  'video/x-matroska',
  'video/webm',
  'video/quicktime',
  'video/x-msvideo',
  'video/mpeg',
  'video/ogg',
  'video/3gpp',
];

/** Mail, as mail clients hand attachments over and as messages arrive (.eml, .mbox, Outlook's .msg). */
export const MAIL_TYPES: readonly string[] = ['message/rfc822', 'application/mbox', 'application/vnd.ms-outlook'];

/**
 * The types `integrate install --mail` makes NoFear the default for: what mail clients hand over as
 * attachments (PDF, office documents, images, archives) and messages themselves. Web pages, audio and
 * video stay with --risky.
 */
export const MAIL_ATTACHMENT_TYPES: readonly string[] = [...RISKY_TYPES.filter((type) => !/^(audio|video)\//.test(type) && type !== 'text/html' && type !== 'application/xhtml+xml'), ...MAIL_TYPES];

/** The desktop file id; DBusActivatable=true works only because it equals the bus name plus `.desktop`. */
export const NOFEAR_DESKTOP_ID = 'org.nofear.NoFear.desktop';
export const NOFEAR_BUS_NAME = 'org.nofear.NoFear';

/** `integrate install --links`: web links, which then open in the previous browser inside a VM with network. */
export const LINK_TYPES: readonly string[] = ['x-scheme-handler/http', 'x-scheme-handler/https'];
