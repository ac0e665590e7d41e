// Colour names GDK accepts for Xpra's --border (pango's table: X11 rgb.txt plus the CSS names).
// Checked against pango 1.50's pango_color_parse; matching ignores case and spaces, as pango does.

/** Plain names ("OrangeRed", "orange red", "crimson"). */
const NAMES = new Set(
  `
  aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet
  brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue
  darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange
  darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise
  darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen
  fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred
  indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
  lightgoldenrod lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon
  lightseagreen lightskyblue lightslateblue lightslategray lightslategrey lightsteelblue lightyellow
  lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple
  mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue
  mintcream mistyrose moccasin navajowhite navy navyblue oldlace olive olivedrab orange orangered
  orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum
  powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen
  seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal
  thistle tomato turquoise violet violetred wheat white whitesmoke yellow yellowgreen
`
    .trim()
    .split(/\s+/),
);

/** Names that also come in X11's numbered shades 1..4 ("OrangeRed3"). */
const SHADED = new Set(
  `
  antiquewhite aquamarine azure bisque blue brown burlywood cadetblue chartreuse chocolate coral
  cornsilk cyan darkgoldenrod darkolivegreen darkorange darkorchid darkseagreen darkslategray
  deeppink deepskyblue dodgerblue firebrick gold goldenrod green honeydew hotpink indianred ivory
  khaki lavenderblush lemonchiffon lightblue lightcyan lightgoldenrod lightpink lightsalmon
  lightskyblue lightsteelblue lightyellow magenta maroon mediumorchid mediumpurple mistyrose
  navajowhite olivedrab orange orangered orchid palegreen paleturquoise palevioletred peachpuff pink
  plum purple red rosybrown royalblue salmon seagreen seashell sienna skyblue slateblue slategray
  snow springgreen steelblue tan thistle tomato turquoise violetred wheat yellow
`
    .trim()
    .split(/\s+/),
);

export function isColourName(name: string): boolean {
  const key = name.toLowerCase().replace(/ /g, '');
  if (NAMES.has(key)) return true;
  const shade = /^([a-z]+)(\d{1,3})$/.exec(key);
  if (shade === null) return false;
  const [, base = '', digits = ''] = shade;
  const level = Number(digits);
  // gray0..gray100 (and grey): X11's ramp of greys by percent.
  if (base === 'gray' || base === 'grey') return String(level) === digits && level <= 100;
  return SHADED.has(base) && digits.length === 1 && level >= 1 && level <= 4;
}
