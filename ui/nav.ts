/** One entry of the shell's navigation. */
export interface NavItem {
  href: string;
  label: string;
  active: boolean;
  testid?: string;
}
