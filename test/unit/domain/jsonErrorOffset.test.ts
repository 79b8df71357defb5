import fc from 'fast-check';
import { jsonErrorOffset } from '../../../src/domain/jsonErrorOffset';

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    fc.assert(fc.property(fc.json(), (text) => jsonErrorOffset(text) === -1));
  });

  it('finds an error wherever JSON.parse finds one', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('}', ',', ':', '"', 'x', '\n'), (text, at, junk) => {
        const broken = text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1));
        let valid = true;
        try {
          JSON.parse(broken);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(broken) === -1).toBe(valid);
      }),
    );
  });

  it.each([
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ['[1 2]', 3],
    ['{"a": tru}', 9],
    ['', 0],
    ['{"a": 1} x', 9],
  ])('%p fails at %i', (text, offset) => expect(jsonErrorOffset(text)).toBe(offset));
});
