/** A file's text, through Vite's `?raw` import (tests in the Workers pool have no file system). */
declare module "*.md?raw" {
  const text: string;
  export default text;
}
